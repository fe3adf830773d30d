//! The tutorial's data, reproducibly: `np.random.randn(n, dim)` normalised to unit
//! length, texts `文档内容 {i}`, sources `source_{i % 10}.txt`, and timestamps
//! `base + i`. Every random choice takes an explicit seed; the base timestamp comes
//! from the caller (the engine never reads the clock).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metric::Metric;

pub mod contrast;
mod embeddings;
pub mod profile;

pub use embeddings::{Embeddings, embeddings};

/// Milvus's largest FloatVector dimension.
pub const MAX_DIM: usize = 32_768;

/// The most floats one generated matrix may hold (1 GiB of f32), so that a typo in
/// `n` fails with a message instead of exhausting memory (in a browser tab, say).
pub const MAX_GENERATED_FLOATS: usize = 1 << 28;

/// Random streams derived from one seed: the base vectors and the queries never
/// share random numbers, so changing the number of queries leaves the data alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Base = 0,
    Queries = 1,
}

/// Which data to generate: the tutorial's random vectors or embedding-like ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// The tutorial's `np.random.randn(n, dim)`, normalised: no neighbourhood
    /// structure, every index looks poor on it.
    #[default]
    Random,
    /// Text-embedding-like vectors (see [`Embeddings`]).
    Embeddings,
}

impl DataKind {
    /// Both kinds, the tutorial's first.
    pub const ALL: [DataKind; 2] = [DataKind::Random, DataKind::Embeddings];

    /// The kind named `name` ([`DataKind::name`]).
    pub fn from_name(name: &str) -> Option<DataKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The other kind (the one to compare with).
    pub fn other(self) -> DataKind {
        match self {
            DataKind::Random => DataKind::Embeddings,
            DataKind::Embeddings => DataKind::Random,
        }
    }

    /// The name on the command line and in URLs.
    pub fn name(self) -> &'static str {
        match self {
            DataKind::Random => "random",
            DataKind::Embeddings => "embeddings",
        }
    }

    /// `n` unit vectors of `dim` floats from `seed`'s `stream`.
    pub fn generate(self, n: usize, dim: usize, seed: u64, stream: Stream) -> Vec<f32> {
        match self {
            DataKind::Random => unit_gaussian(n, dim, seed, stream),
            DataKind::Embeddings => embeddings(n, dim, seed, stream),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSpec {
    /// Number of vectors (the tutorial's `n_vectors`, 10,000).
    pub n: usize,
    /// Dimension (the tutorial's 1536, OpenAI's embedding size).
    pub dim: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// The tutorial's random vectors or embedding-like ones (absent in older JSON:
    /// random).
    #[serde(default)]
    pub kind: DataKind,
}

impl DataSpec {
    /// The tutorial's own sizes.
    pub const TUTORIAL: DataSpec = DataSpec {
        n: 10_000,
        dim: 1536,
        seed: 42,
        kind: DataKind::Random,
    };

    /// Checks the sizes with Milvus's ranges and the memory bound.
    pub fn validate(&self) -> Result<()> {
        validate_dim(self.dim)?;
        let max_n = MAX_GENERATED_FLOATS / self.dim;
        if self.n == 0 || self.n > max_n {
            return Err(Error::OutOfRange {
                what: "number of vectors",
                value: self.n as i64,
                min: 1,
                max: max_n as i64,
            });
        }
        Ok(())
    }
}

/// Checks a vector dimension against Milvus's range.
pub fn validate_dim(dim: usize) -> Result<()> {
    if dim == 0 || dim > MAX_DIM {
        return Err(Error::InvalidDimension { dim, max: MAX_DIM });
    }
    Ok(())
}

/// `n` standard-normal vectors of `dim` floats, each normalised to unit length, row
/// major. The same `(seed, stream)` gives the same bits on every target.
pub fn unit_gaussian(n: usize, dim: usize, seed: u64, stream: Stream) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream as u64);
    let mut out = Vec::with_capacity(n * dim);
    for row in 0..n {
        let start = out.len();
        out.extend((0..dim).map(|_| -> f32 { StandardNormal.sample(&mut rng) }));
        // A standard-normal vector is all zeros with probability 0; should it ever
        // happen, leave it as is rather than fail.
        let _ = Metric::Cosine.prepare(row, &mut out[start..]);
    }
    out
}

/// A text-embedding-like distribution: a Gaussian mixture of low intrinsic dimension
/// (the `clustered` data set of `../shared/peers/gen_data.py`, re-implemented with
/// this crate's seeded generator). 100 centres near a shared 64-dim subspace; each
/// point is its centre plus noise in a 32-dim per-cluster subspace (half shared,
/// half private) with a decaying spectrum, plus small isotropic noise; normalised.
/// Neighbourhoods have structure, so ANN indexes reach high recall on it, unlike on
/// the tutorial's i.i.d. normal data.
#[derive(Debug, Clone)]
pub struct Mixture {
    dim: usize,
    centres: Vec<f32>,
    /// Per cluster, `SUB_DIM` orthonormal rows of `dim` floats.
    bases: Vec<Vec<f32>>,
    /// Cumulative cluster weights (Zipf-ish, shuffled).
    cumulative: Vec<f64>,
}

impl Mixture {
    const CLUSTERS: usize = 100;
    const SUB_DIM: usize = 32;
    const GLOBAL_DIM: usize = 64;
    const SUB_SCALE: f32 = 0.9;
    const ISO_SCALE: f32 = 0.08;

    /// The mixture's parameters, drawn from `seed` (dim must be ≥ 64).
    pub fn new(dim: usize, seed: u64) -> Self {
        assert!(dim >= Self::GLOBAL_DIM, "the mixture needs dim >= 64");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(2);
        let mut normal = move || -> f32 { StandardNormal.sample(&mut rng) };
        let global = orthonormal_rows((0..Self::GLOBAL_DIM * dim).map(|_| normal()).collect(), dim);
        let combine = |coeffs: &[f32], rows: &[f32], out: &mut [f32]| {
            for (c, row) in coeffs.iter().zip(rows.chunks_exact(dim)) {
                out.iter_mut().zip(row).for_each(|(o, r)| *o += c * r);
            }
        };
        let mut centres = vec![0.0f32; Self::CLUSTERS * dim];
        let private_scale = 0.6 / (dim as f32 / Self::GLOBAL_DIM as f32).sqrt();
        for c in centres.chunks_exact_mut(dim) {
            let z: Vec<f32> = (0..Self::GLOBAL_DIM).map(|_| normal() * 0.8).collect();
            combine(&z, &global, c);
            c.iter_mut().for_each(|x| *x += normal() * private_scale);
            let _ = Metric::Cosine.prepare(0, c);
        }
        let half = Self::SUB_DIM / 2;
        let bases = (0..Self::CLUSTERS)
            .map(|_| {
                let mut rows = vec![0.0f32; Self::SUB_DIM * dim];
                for r in rows[..half * dim].chunks_exact_mut(dim) {
                    let z: Vec<f32> = (0..Self::GLOBAL_DIM).map(|_| normal()).collect();
                    combine(&z, &global, r);
                }
                rows[half * dim..].iter_mut().for_each(|x| *x = normal());
                orthonormal_rows(rows, dim)
            })
            .collect();
        let mut weights: Vec<f64> = (1..=Self::CLUSTERS)
            .map(|i| 1.0 / (i as f64).sqrt())
            .collect();
        // Fisher–Yates with the same stream, so the big clusters are not the first.
        let mut rng2 = ChaCha8Rng::seed_from_u64(seed);
        rng2.set_stream(3);
        for i in (1..weights.len()).rev() {
            let j = rand::Rng::random_range(&mut rng2, 0..=i);
            weights.swap(i, j);
        }
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Self {
            dim,
            centres,
            bases,
            cumulative,
        }
    }

    /// `n` unit vectors from the mixture and their cluster labels.
    pub fn sample(&self, n: usize, seed: u64, stream: Stream) -> (Vec<f32>, Vec<u32>) {
        let dim = self.dim;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(16 + stream as u64);
        let spec: Vec<f32> = (1..=Self::SUB_DIM)
            .map(|i| 1.0 / (i as f32).sqrt())
            .collect();
        let spec_norm: f32 = spec.iter().map(|s| s * s).sum::<f32>().sqrt();
        let iso = Self::ISO_SCALE / (dim as f32).sqrt();
        let mut out = vec![0.0f32; n * dim];
        let mut labels = Vec::with_capacity(n);
        for (row, p) in out.chunks_exact_mut(dim).enumerate() {
            let u: f64 = rand::Rng::random(&mut rng);
            let j = self
                .cumulative
                .partition_point(|&c| c < u)
                .min(Self::CLUSTERS - 1);
            labels.push(j as u32);
            p.copy_from_slice(&self.centres[j * dim..(j + 1) * dim]);
            for (s, basis) in spec.iter().zip(self.bases[j].chunks_exact(dim)) {
                let z: f32 = StandardNormal.sample(&mut rng);
                let c = z * s * Self::SUB_SCALE / spec_norm;
                p.iter_mut().zip(basis).for_each(|(x, b)| *x += c * b);
            }
            for x in p.iter_mut() {
                let e: f32 = StandardNormal.sample(&mut rng);
                *x += e * iso;
            }
            let _ = Metric::Cosine.prepare(row, p);
        }
        (out, labels)
    }
}

/// `n` clustered unit vectors (see [`Mixture`]); base and query streams of one seed
/// come from the same mixture.
pub fn clustered(n: usize, dim: usize, seed: u64, stream: Stream) -> Vec<f32> {
    Mixture::new(dim, seed).sample(n, seed, stream).0
}

/// Modified Gram–Schmidt on `rows` (row-major, `dim` floats a row).
fn orthonormal_rows(mut rows: Vec<f32>, dim: usize) -> Vec<f32> {
    let k = rows.len() / dim;
    for i in 0..k {
        let (done, rest) = rows.split_at_mut(i * dim);
        let r = &mut rest[..dim];
        for q in done.chunks_exact(dim) {
            let d = crate::kernels::scalar::dot(r, q);
            r.iter_mut().zip(q).for_each(|(x, y)| *x -= d * y);
        }
        let norm = crate::kernels::scalar::dot(r, r).sqrt();
        if norm > 0.0 {
            r.iter_mut().for_each(|x| *x /= norm);
        }
    }
    rows
}

/// The tutorial's columns: embeddings, texts, sources, timestamps.
#[derive(Debug, Clone, PartialEq)]
pub struct TutorialData {
    pub spec: DataSpec,
    /// Row-major, `spec.n * spec.dim` floats, unit length.
    pub embeddings: Vec<f32>,
    pub texts: Vec<String>,
    pub sources: Vec<String>,
    pub timestamps: Vec<i64>,
}

impl TutorialData {
    /// Generates the data; `base_timestamp` is the tutorial's `int(time.time())`.
    pub fn generate(spec: DataSpec, base_timestamp: i64) -> Result<Self> {
        spec.validate()?;
        let n = spec.n;
        Ok(Self {
            spec,
            embeddings: spec.kind.generate(n, spec.dim, spec.seed, Stream::Base),
            texts: (0..n).map(|i| format!("文档内容 {i}")).collect(),
            sources: (0..n).map(|i| format!("source_{}.txt", i % 10)).collect(),
            timestamps: (0..n as i64).map(|i| base_timestamp + i).collect(),
        })
    }

    /// Rows `start..end` as the tutorial inserts them: `[embeddings, texts, sources,
    /// timestamps]`, the columns of [`crate::schema::CollectionSchema::tutorial`]
    /// without its auto_id key.
    pub fn columns(&self, start: usize, end: usize) -> Vec<crate::schema::Column> {
        use crate::schema::Column;
        let dim = self.spec.dim;
        vec![
            Column::FloatVector {
                dim,
                data: self.embeddings[start * dim..end * dim].to_vec(),
            },
            Column::VarChar(self.texts[start..end].to_vec()),
            Column::VarChar(self.sources[start..end].to_vec()),
            Column::Int64(self.timestamps[start..end].to_vec()),
        ]
    }

    /// The embedding of row `i`.
    pub fn embedding(&self, i: usize) -> &[f32] {
        &self.embeddings[i * self.spec.dim..(i + 1) * self.spec.dim]
    }

    /// `nq` query vectors from the query stream of the same seed (the tutorial draws
    /// its queries from the same distribution as its data: for embeddings, from the
    /// same topics).
    pub fn queries(&self, nq: usize) -> Vec<f32> {
        self.spec
            .kind
            .generate(nq, self.spec.dim, self.spec.seed, Stream::Queries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::dot;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn columns_follow_the_tutorial() {
        let spec = DataSpec {
            n: 25,
            dim: 16,
            seed: 7,
            kind: Default::default(),
        };
        let d = TutorialData::generate(spec, 1_700_000_000).unwrap();
        assert_eq!(d.embeddings.len(), 25 * 16);
        assert_eq!(d.texts[3], "文档内容 3");
        assert_eq!(d.sources[13], "source_3.txt");
        assert_eq!(d.timestamps[24], 1_700_000_024);
        for i in 0..25 {
            let e = d.embedding(i);
            assert!((dot(e, e) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn same_seed_same_bits_other_seed_other_data() {
        let a = unit_gaussian(10, 8, 1, Stream::Base);
        assert_eq!(a, unit_gaussian(10, 8, 1, Stream::Base));
        assert_ne!(a, unit_gaussian(10, 8, 2, Stream::Base));
        assert_ne!(a, unit_gaussian(10, 8, 1, Stream::Queries));
        // A prefix of a larger draw is the smaller draw.
        assert_eq!(a[..40], unit_gaussian(5, 8, 1, Stream::Base)[..]);
    }

    #[test]
    fn clustered_data_has_close_neighbours_and_random_data_has_not() {
        let dim = 128;
        let (base, labels) = Mixture::new(dim, 5).sample(400, 5, Stream::Base);
        let rnd = unit_gaussian(400, dim, 5, Stream::Base);
        let best = |data: &[f32]| -> f32 {
            let q = &data[..dim];
            data.chunks_exact(dim)
                .skip(1)
                .map(|v| dot(q, v))
                .fold(f32::MIN, f32::max)
        };
        assert!(best(&base) > 0.6, "clustered top-1 {}", best(&base));
        assert!(best(&rnd) < 0.4, "random top-1 {}", best(&rnd));
        assert!(labels.iter().all(|&l| l < 100));
        for v in base.chunks_exact(dim) {
            assert!((dot(v, v) - 1.0).abs() < 1e-4);
        }
        assert_eq!(clustered(10, dim, 5, Stream::Base), base[..10 * dim]);
    }

    #[test]
    fn sizes_are_validated() {
        let bad_dim = DataSpec {
            n: 1,
            dim: 40_000,
            seed: 0,
            kind: Default::default(),
        };
        assert_eq!(
            bad_dim.validate(),
            Err(Error::InvalidDimension {
                dim: 40_000,
                max: MAX_DIM
            })
        );
        let no_rows = DataSpec {
            n: 0,
            dim: 8,
            seed: 0,
            kind: Default::default(),
        };
        assert!(matches!(
            no_rows.validate(),
            Err(Error::OutOfRange { value: 0, .. })
        ));
        assert!(DataSpec::TUTORIAL.validate().is_ok());
    }
}
