//! What each page says: its title and a short explanation (zh, en), the
//! tutorial's own pymilvus code for the step, and the annlab call that does the
//! same. Teaching content: the page and the CLI read it, the engine never does.

use super::Lang;
use crate::scenario::StepId;

/// The section title, as the tutorial prints it (zh) or translated (en).
pub fn title(step: StepId, lang: Lang) -> &'static str {
    let (zh, en) = match step {
        StepId::Connect => ("连接Milvus", "Connect to Milvus"),
        StepId::Schema => ("创建Collection", "Create the collection"),
        StepId::Index => ("创建索引", "Create the index"),
        StepId::Data => ("生成测试数据", "Generate test data"),
        StepId::Insert => ("批量插入", "Batch insert"),
        StepId::Load => ("加载Collection", "Load the collection"),
        StepId::Search => ("查询测试", "Single search"),
        StepId::BatchSearch => ("批量查询测试", "Batch search"),
        StepId::FilteredSearch => ("过滤查询测试", "Filtered search"),
        StepId::EfSweep => ("性能对比：不同ef参数", "Latency and recall against ef"),
        StepId::Stats => ("索引统计", "Index statistics"),
        StepId::IvfCompare => ("IVF索引对比", "IVF_FLAT compared with HNSW"),
        StepId::Cleanup => ("清理资源", "Clean up"),
        StepId::IvfPq => ("练习1：IVF_PQ量化", "Exercise 1: IVF_PQ quantisation"),
        StepId::Cluster => ("练习2：分布式集群", "Exercise 2: a distributed cluster"),
        StepId::Monitoring => ("练习3：Prometheus监控", "Exercise 3: Prometheus monitoring"),
    };
    lang.pick(zh, en)
}

/// The explanation of a step.
pub fn explanation(step: StepId, lang: Lang) -> &'static str {
    use StepId::*;
    let (zh, en) = match step {
        Connect => (
            "脚本先连接 Milvus 服务（默认端口 19530）。在真实部署中，Milvus 由代理节点、查询节点、数据节点和索引节点组成，元数据存放在 etcd，数据文件存放在 MinIO。annlab 把同样的引擎直接运行在你的浏览器标签页（或本机进程）里：没有网络往返。",
            "The script first connects to a Milvus server (port 19530). A real deployment is a proxy plus query, data and index nodes, with metadata in etcd and data files in MinIO. annlab runs the same kind of engine right in your tab (or process): there is no network round trip.",
        ),
        Schema => (
            "集合（Collection）相当于一张表：INT64 自增主键、1536 维浮点向量、两个 VARCHAR 字段和一个 INT64 时间戳。Schema 在创建时校验：维度必须在 1~32768 之间，VARCHAR 必须给出 max_length。",
            "A collection is like a table: an INT64 auto-id primary key, a 1536-d float vector, two VARCHAR fields and an INT64 timestamp. The schema is validated on creation: dim must be 1–32768, every VARCHAR needs a max_length.",
        ),
        Index => (
            "HNSW 把向量连成多层近邻图：M 是每个节点的连接数，efConstruction 是建图时的候选列表长度。IVF_FLAT 用 k-means 把空间切成 nlist 个单元，查询时只扫描最近的 nprobe 个单元。此时集合还是空的：索引在数据刷新（flush）后按段构建。",
            "HNSW links the vectors into a layered neighbour graph: M links per node, efConstruction candidates while building. IVF_FLAT cuts space into nlist k-means cells and scans only the nprobe nearest cells per query. The collection is still empty here: the index is built per segment once data is flushed.",
        ),
        Data => (
            "教程用 np.random.randn 生成标准正态向量并归一化。注意：1536 维的随机向量几乎两两正交，最近邻并不比随机点近多少——这是所有 ANN 索引的最坏情况，真实文本嵌入的结构要强得多。",
            "The tutorial draws standard-normal vectors and normalises them. Beware: random 1536-d vectors are almost orthogonal to each other, so the nearest neighbour is barely nearer than a random point. That is the worst case for every ANN index; real text embeddings have far more structure.",
        ),
        Insert => (
            "每批 1000 条插入到增长段（growing segment），flush 时封存成一个段并构建索引。吞吐量取决于向量的校验、归一化和拷贝。",
            "Rows are inserted 1,000 at a time into a growing segment; flush seals it and builds its index. Throughput is the cost of validating, normalising and copying the vectors.",
        ),
        Load => (
            "Milvus 只在已加载（load）的集合上检索，并且加载前必须有索引。教程在这里没有等待索引构建完成；annlab 的 flush 会同步构建索引，所以这里之后的每次检索都真正走 HNSW。",
            "Milvus searches only loaded collections, and loading needs an index. The tutorial never waits for the index build; annlab's flush builds it synchronously, so every search after this point really uses HNSW.",
        ),
        Search => (
            "一次 top-10 检索，ef=64。我们同时用精确检索（暴力扫描）算出真实的前 10，给出召回率 recall@10。分数是余弦相似度：随机向量几乎两两正交，实测的最高分远低于教程示例输出里的 0.92（见下方对比）。",
            "One top-10 search with ef=64. We also compute the true top-10 by exact search and report recall@10. The score is cosine similarity: random vectors are nearly orthogonal, so the measured best score is far below the 0.92 of the tutorial's sample output (compared below).",
        ),
        BatchSearch => (
            "一次调用提交 100 个查询。平均延迟 = 总耗时 / 100，QPS = 100 / 总耗时。直方图显示每个查询单独计时的延迟分布。",
            "One call with 100 queries. Mean latency = total / 100, QPS = 100 / total. The histogram shows the latency of each query timed on its own.",
        ),
        FilteredSearch => (
            "带过滤条件的检索：source == 'source_0.txt' 只匹配 10% 的行。引擎先估计匹配行数：匹配行很少时直接精确扫描它们更便宜；否则在 HNSW 遍历中检查过滤位图。绝不先检索再过滤（那样会丢结果）。",
            "A filtered search: source == 'source_0.txt' matches 10 % of the rows. The engine counts the matching rows first: when few match, scanning them exactly is cheaper; otherwise the filter bitmap is checked during the HNSW traversal. It never filters after the search (that would lose results).",
        ),
        EfSweep => (
            "ef 是检索时的候选列表长度：越大越准、越慢。教程的扫描在索引建好之前运行，测到的其实是暴力检索；这里等索引建好后再测，并给出每个 ef 的召回率。",
            "ef is the search-time candidate list: larger is more accurate and slower. The tutorial's sweep ran before its index existed, so it measured brute force; here the index is built first and each ef is reported with its recall.",
        ),
        Stats => (
            "教程调用 collection.get_stats()，但 pymilvus 没有这个方法（AttributeError）。正确的做法是 utility.get_collection_stats 或 num_entities；这里给出段、内存和索引大小。",
            "The tutorial calls collection.get_stats(), which pymilvus does not have (AttributeError). Use num_entities or get_collection_stats instead; shown here: segments, memory and index size.",
        ),
        IvfCompare => (
            "同样的数据放进第二个集合，建 IVF_FLAT（nlist=1024），用 nprobe=10 检索。教程断言“IVF 比 HNSW 慢”；实测的延迟和召回率在下面。",
            "The same data goes into a second collection with IVF_FLAT (nlist=1024), searched with nprobe=10. The tutorial claims IVF is slower than HNSW; the measured latency and recall are below.",
        ),
        Cleanup => (
            "释放（release）把集合从查询节点的内存中卸载，之后检索会报 collection not loaded。",
            "Release unloads the collections from the query nodes' memory; a search afterwards fails with 'collection not loaded'.",
        ),
        IvfPq => (
            "IVF_PQ 把每个向量的残差切成 m=8 段，每段用 2^nbits=256 个码字之一表示：1536 维只占 8 字节。内存小了几百倍，代价是召回率。",
            "IVF_PQ splits each vector's residual into m=8 parts and stores each as one of 2^nbits=256 codewords: 8 bytes for 1536 dimensions. Memory shrinks by hundreds of times, paid for in recall.",
        ),
        Cluster => (
            "分布式 Milvus 把集合分成多个分片（shard），由多个查询节点并行检索，代理节点汇总（scatter/gather）每个分片的 top-k。这里用多个 Web Worker 充当查询节点。",
            "A distributed Milvus splits the collection into shards served by several query nodes in parallel; the proxy merges each shard's top-k (scatter/gather). Here several Web Workers act as the query nodes.",
        ),
        Monitoring => (
            "Milvus 在 9091 端口暴露 Prometheus 指标：检索延迟直方图、请求计数、索引构建耗时。这里显示同样的指标及其文本格式。",
            "Milvus exposes Prometheus metrics on port 9091: a search-latency histogram, request counters, index-build durations. The same metrics and their text format are shown here.",
        ),
    };
    lang.pick(zh, en)
}

/// The tutorial's pymilvus code for the step (verbatim where the tutorial has it).
pub fn pymilvus_code(step: StepId) -> &'static str {
    use StepId::*;
    match step {
        Connect => {
            "connections.connect(\n    alias=\"default\",\n    host=\"localhost\",\n    port=\"19530\"\n)\n\nprint(\"\\n连接成功\")\nprint(f\"Milvus版本: {utility.get_server_version()}\")"
        }
        Schema => {
            "if utility.has_collection(collection_name):\n    utility.drop_collection(collection_name)\n\nfields = [\n    FieldSchema(name=\"id\", dtype=DataType.INT64, is_primary=True, auto_id=True),\n    FieldSchema(name=\"embedding\", dtype=DataType.FLOAT_VECTOR, dim=1536),\n    FieldSchema(name=\"text\", dtype=DataType.VARCHAR, max_length=2000),\n    FieldSchema(name=\"source\", dtype=DataType.VARCHAR, max_length=200),\n    FieldSchema(name=\"timestamp\", dtype=DataType.INT64)\n]\nschema = CollectionSchema(fields=fields, description=\"生产级文档集合\")\ncollection = Collection(name=collection_name, schema=schema)"
        }
        Index => {
            "hnsw_index_params = {\n    \"metric_type\": \"COSINE\",\n    \"index_type\": \"HNSW\",\n    \"params\": {\"M\": 16, \"efConstruction\": 200}\n}\ncollection.create_index(\n    field_name=\"embedding\",\n    index_params=index_params\n)"
        }
        Data => {
            "embeddings = np.random.randn(n, 1536).astype('float32')\nembeddings = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)\ntexts = [f\"文档内容 {i}\" for i in range(n)]\nsources = [f\"source_{i % 10}.txt\" for i in range(n)]\ntimestamps = [int(time.time()) + i for i in range(n)]"
        }
        Insert => {
            "for i in range(0, n_vectors, batch_size):\n    end = min(i + batch_size, n_vectors)\n    batch_data = [\n        embeddings[i:end].tolist(),\n        texts[i:end],\n        sources[i:end],\n        timestamps[i:end]\n    ]\n    collection.insert(batch_data)\n\ncollection.flush()"
        }
        Load => {
            "start_time = time.time()\ncollection.load()\nload_time = time.time() - start_time\nprint(f\"向量数量: {collection.num_entities}\")"
        }
        Search => {
            "search_params = {\"metric_type\": \"COSINE\", \"params\": {\"ef\": 64}}\nresults = collection.search(\n    data=[query_vector.tolist()],\n    anns_field=\"embedding\",\n    param=search_params,\n    limit=10,\n    output_fields=[\"text\", \"source\"]\n)"
        }
        BatchSearch => {
            "query_vectors = np.random.randn(100, 1536).astype('float32')\nresults = collection.search(\n    data=query_vectors.tolist(),\n    anns_field=\"embedding\",\n    param=search_params,\n    limit=10\n)"
        }
        FilteredSearch => {
            "expr = \"source == 'source_0.txt'\"\nresults = collection.search(\n    data=[query_vector.tolist()],\n    anns_field=\"embedding\",\n    param=search_params,\n    limit=10,\n    expr=expr,\n    output_fields=[\"text\", \"source\"]\n)"
        }
        EfSweep => {
            "for ef in [16, 32, 64, 128]:\n    search_params[\"params\"][\"ef\"] = ef\n    times = []\n    for _ in range(10):\n        start = time.time()\n        collection.search(data=[query_vector.tolist()], anns_field=\"embedding\",\n                          param=search_params, limit=10)\n        times.append((time.time() - start) * 1000)"
        }
        Stats => {
            "stats = collection.get_stats()   # AttributeError: pymilvus has no get_stats()\nprint(f\"向量数量: {collection.num_entities}\")"
        }
        IvfCompare => {
            "ivf_collection.create_index(field_name=\"embedding\", index_params=ivf_index_params)\n# ... insert the same batches, flush, load ...\nivf_results = ivf_collection.search(\n    data=[query_vector.tolist()],\n    anns_field=\"embedding\",\n    param={\"metric_type\": \"COSINE\", \"params\": {\"nprobe\": 10}},\n    limit=10\n)"
        }
        Cleanup => {
            "collection.release()\nivf_collection.release()\nconnections.disconnect(\"default\")"
        }
        IvfPq => {
            "pq_index_params = {\n    \"metric_type\": \"COSINE\",\n    \"index_type\": \"IVF_PQ\",\n    \"params\": {\"nlist\": 1024, \"m\": 8, \"nbits\": 8}\n}\npq_collection.create_index(field_name=\"embedding\", index_params=pq_index_params)"
        }
        Cluster => {
            "# docker-compose: etcd, MinIO, and Milvus in cluster mode\n# (proxy, query nodes, data nodes, index nodes)\ncollection = Collection(name, schema, shards_num=4)"
        }
        Monitoring => {
            "# Milvus exposes Prometheus metrics on :9091/metrics\n# prometheus.yml\nscrape_configs:\n  - job_name: milvus\n    static_configs:\n      - targets: ['localhost:9091']"
        }
    }
}

/// The annlab call that does the same.
pub fn annlab_code(step: StepId) -> &'static str {
    use StepId::*;
    match step {
        Connect => "let mut db = annlab_core::db::Database::new();",
        Schema => {
            "db.drop_collection(\"production_documents\");\nlet c = db.create_collection(\n    \"production_documents\",\n    CollectionSchema::tutorial(1536),\n    seed,\n)?;"
        }
        Index => {
            "c.create_index(\"embedding\", \"\",\n    IndexSpec::new(IndexParams::Hnsw { m: 16, ef_construction: 200 }, Metric::Cosine),\n    &mut progress)?;"
        }
        Data => "let data = TutorialData::generate(DataSpec { n: 10_000, dim: 1536, seed }, now)?;",
        Insert => {
            "for batch in 0..10 {\n    c.insert(columns(&data, batch * 1000..(batch + 1) * 1000))?;\n}\nc.flush(&mut progress)?; // seals the segment and builds its HNSW"
        }
        Load => "c.load()?;\nlet n = c.num_entities();",
        Search => {
            "let res = c.search(&SearchRequest {\n    anns_field: \"embedding\".into(),\n    data: vec![query],\n    ann: AnnParams::Hnsw { ef: 64 },\n    limit: 10,\n    output_fields: vec![\"text\".into(), \"source\".into()],\n    ..Default::default()\n})?;"
        }
        BatchSearch => {
            "let res = c.search(&SearchRequest { data: queries /* 100 */, limit: 10, .. })?;"
        }
        FilteredSearch => {
            "let res = c.search(&SearchRequest {\n    filter: \"source == 'source_0.txt'\".into(), ..\n})?;\nprintln!(\"{:?}\", res.plan); // exact scan or in-graph filter"
        }
        EfSweep => {
            "for ef in [16, 32, 64, 128] {\n    let res = c.search(&SearchRequest { ann: AnnParams::Hnsw { ef }, .. })?;\n}"
        }
        Stats => "println!(\"{} rows, {} bytes\", c.num_entities(), c.memory_bytes());",
        IvfCompare => {
            "ivf.create_index(\"embedding\", \"\",\n    IndexSpec::new(IndexParams::IvfFlat { nlist: 1024 }, Metric::Cosine), &mut progress)?;\nlet res = ivf.search(&SearchRequest { ann: AnnParams::Ivf { nprobe: 10 }, .. })?;"
        }
        Cleanup => "c.release();\nivf.release();",
        IvfPq => {
            "pq.create_index(\"embedding\", \"\",\n    IndexSpec::new(IndexParams::IvfPq { nlist: 1024, m: 8, nbits: 8 }, Metric::Cosine),\n    &mut progress)?;"
        }
        Cluster => {
            "// each query node (a Web Worker) builds one shard: rows id % shards\nlet node = ShardNode::generate(&params, shard, shards, &clock, &mut progress)?;\n// the proxy (the page) scatters a query to every node, then gathers\nlet parts: Vec<Vec<(f32, i64)>> = nodes.iter().map(|n| n.search(q)).collect::<Result<_>>()?;\nlet top10 = merge_top_k(&parts, 10);"
        }
        Monitoring => "let text = metrics.render_prometheus();",
    }
}
