//! "0 · Architecture": Milvus's components and where each one's job lives in annlab
//! (zh and en). Static teaching text, no numbers.

use annlab_core::scenario::Lang;
use leptos::prelude::*;

/// One Milvus component: its name, what it does in Milvus, what annlab does instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    pub key: &'static str,
    pub name: &'static str,
    pub milvus: (&'static str, &'static str),
    pub annlab: (&'static str, &'static str),
}

/// Milvus 2.x's components, from the client inwards.
pub const COMPONENTS: [Component; 8] = [
    Component {
        key: "proxy",
        name: "Proxy",
        milvus: (
            "无状态入口：校验请求（参数范围、过滤表达式），转发给协调者和节点，合并结果。",
            "Stateless entry point: validates requests (parameter ranges, filter expressions), routes them to coordinators and nodes, merges results.",
        ),
        annlab: (
            "Collection 的方法在执行前校验一切，错误信息与 Milvus 相同（index/spec.rs、expr/）。",
            "Collection's methods validate everything before acting, with Milvus's messages (index/spec.rs, expr/).",
        ),
    },
    Component {
        key: "coordinators",
        name: "Root / Data / Query / Index coordinators",
        milvus: (
            "管理集合、分配段、决定哪个节点加载或构建什么。",
            "Manage collections, allocate segments, decide which node loads or builds what.",
        ),
        annlab: (
            "一个进程内的 Database 与 Collection 直接编排（db.rs、collection/mod.rs）。",
            "One in-process Database and its Collections orchestrate directly (db.rs, collection/mod.rs).",
        ),
    },
    Component {
        key: "etcd",
        name: "etcd",
        milvus: (
            "元数据：schema、索引定义、段的状态、服务发现。",
            "Metadata: schemas, index definitions, segment states, service discovery.",
        ),
        annlab: (
            "内存中的 schema 与索引定义；CLI 的数据目录里是 MANIFEST（原子重命名即提交）。",
            "Schemas and index definitions in memory; in the CLI's data directory, the MANIFEST (its atomic rename is the commit).",
        ),
    },
    Component {
        key: "log",
        name: "Pulsar / Kafka (log broker)",
        milvus: (
            "写入先进日志（WAL），节点订阅；因此 Milvus 默认是有界一致性。",
            "Writes go to a log (WAL) that nodes subscribe to; hence Milvus's default bounded consistency.",
        ),
        annlab: (
            "不模拟：insert 同步生效，读总能看到已写入的数据（强一致）。",
            "Not modelled: inserts apply synchronously, reads always see them (strong consistency).",
        ),
    },
    Component {
        key: "datanode",
        name: "Data node",
        milvus: (
            "把新数据放进增长段（growing segment），flush 时封存为 sealed segment 写入对象存储。",
            "Buffers new rows in growing segments and, on flush, seals them into object storage.",
        ),
        annlab: (
            "collection/segment.rs：增长段 → flush → 封存段（第 5 步）。",
            "collection/segment.rs: growing → flush → sealed (step 5).",
        ),
    },
    Component {
        key: "indexnode",
        name: "Index node",
        milvus: (
            "为每个封存段在后台构建索引（HNSW、IVF…）。",
            "Builds each sealed segment's index (HNSW, IVF, …) in the background.",
        ),
        annlab: (
            "flush 时为每个封存段构建索引（index/hnsw、index/ivf）；浏览器里在 Web Worker 中运行，页面不会卡住。",
            "flush builds each sealed segment's index (index/hnsw, index/ivf); in the browser it runs in a Web Worker, so the page never freezes.",
        ),
    },
    Component {
        key: "querynode",
        name: "Query node",
        milvus: (
            "load 把段载入内存；搜索每个段，再归并 top-k。",
            "load brings segments into memory; search runs per segment, then merges the top-k.",
        ),
        annlab: (
            "load() 与 collection/search.rs：每段选择计划（索引、索引内过滤或精确扫描），再归并（第 6–9 步）。",
            "load() and collection/search.rs: a plan per segment (index, filter inside the index, or exact scan), then a merge (steps 6–9).",
        ),
    },
    Component {
        key: "objectstorage",
        name: "MinIO / S3",
        milvus: (
            "对象存储：段的数据、删除记录和索引文件。",
            "Object storage: segment data, deletions and index files.",
        ),
        annlab: (
            "persist.rs 把集合编码为带校验的字节；CLI 的 store/ 写成文件（fsync 后重命名）。浏览器里只在内存中。",
            "persist.rs encodes a collection as checksummed bytes; the CLI's store/ writes them as files (fsync, then rename). In the browser: memory only.",
        ),
    },
];

/// The overview: a table of components with Milvus's role and annlab's.
#[component]
pub fn Overview(lang: RwSignal<Lang>) -> impl IntoView {
    let pick = move |(zh, en): (&'static str, &'static str)| lang.get().pick(zh, en);
    view! {
        <div class="overview" data-testid="architecture">
            <p class="explain">
                {move || pick((
                    "Milvus 是一个分布式系统：客户端（pymilvus）只和 Proxy 说话，其余组件各司其职。annlab 把同样的工作放进一个引擎（annlab-core），在浏览器或 CLI 中运行。下表说明每个组件在 annlab 里对应什么。",
                    "Milvus is a distributed system: the client (pymilvus) talks only to the Proxy, and each other component has one job. annlab does the same work inside one engine (annlab-core), in your browser or in the CLI. The table maps each component to where its job lives in annlab.",
                ))}
            </p>
            <div class="arch-flow" aria-hidden="true">
                <span>"pymilvus"</span>"→"<span>"Proxy"</span>"→"<span>"Coordinators"</span>"→"
                <span>"Data / Index / Query nodes"</span>"⇄"<span>"etcd · Pulsar · MinIO"</span>
            </div>
            <table class="hits arch">
                <thead>
                    <tr>
                        <th>{move || pick(("组件", "component"))}</th>
                        <th>{move || pick(("在 Milvus 中", "in Milvus"))}</th>
                        <th>{move || pick(("在 annlab 中", "in annlab"))}</th>
                    </tr>
                </thead>
                <tbody>
                    {COMPONENTS.into_iter().map(|c| view! {
                        <tr data-testid=format!("arch-{}", c.key)>
                            <td><strong>{c.name}</strong></td>
                            <td>{move || pick(c.milvus)}</td>
                            <td>{move || pick(c.annlab)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn every_component_is_explained_in_both_languages() {
        let mut keys: Vec<&str> = COMPONENTS.iter().map(|c| c.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), COMPONENTS.len());
        for c in COMPONENTS {
            for s in [c.milvus.0, c.milvus.1, c.annlab.0, c.annlab.1] {
                assert!(!s.is_empty(), "{}", c.key);
            }
        }
        for needed in [
            "etcd",
            "objectstorage",
            "proxy",
            "querynode",
            "datanode",
            "indexnode",
        ] {
            assert!(keys.contains(&needed), "{needed}");
        }
    }
}
