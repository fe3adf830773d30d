//! The gather step of a sharded search: each shard answers its own top-k with
//! shard-local ids; the proxy maps them back to global rows and keeps the best k.
//! Shared by the cluster exercise and any page that scatters queries itself.

/// The global row of shard `shard`'s local row `local` when rows go to shard
/// `row % shards` (Milvus hashes primary keys to shards).
pub fn global_row(shard: usize, local: i64, shards: usize) -> i64 {
    shard as i64 + local * shards as i64
}

/// Merges each shard's `(score, global id)` hits into the best `k`: higher score
/// first (COSINE and IP similarity), ties by smaller id, so the result does not
/// depend on the order the shards answered in.
pub fn merge_top_k(parts: &[Vec<(f32, i64)>], k: usize) -> Vec<(f32, i64)> {
    let mut all: Vec<(f32, i64)> = parts.iter().flatten().copied().collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    all.truncate(k);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rows_round_robin_over_shards() {
        assert_eq!(global_row(0, 0, 4), 0);
        assert_eq!(global_row(3, 2, 4), 11);
    }

    #[test]
    fn merge_keeps_the_best_k_whatever_the_shard_order() {
        let a = vec![(0.9, 4), (0.5, 8)];
        let b = vec![(0.95, 1), (0.5, 5), (0.1, 9)];
        let c: Vec<(f32, i64)> = Vec::new();
        let m = merge_top_k(&[a.clone(), b.clone(), c.clone()], 3);
        assert_eq!(m, [(0.95, 1), (0.9, 4), (0.5, 5)]);
        assert_eq!(merge_top_k(&[c, b, a], 3), m);
        assert_eq!(merge_top_k(&[], 3), []);
        assert_eq!(merge_top_k(&[vec![(0.2, 3)]], 10), [(0.2, 3)]);
    }
}
