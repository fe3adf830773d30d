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

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSpec {
    /// Number of vectors (the tutorial's `n_vectors`, 10,000).
    pub n: usize,
    /// Dimension (the tutorial's 1536, OpenAI's embedding size).
    pub dim: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

impl DataSpec {
    /// The tutorial's own sizes.
    pub const TUTORIAL: DataSpec = DataSpec {
        n: 10_000,
        dim: 1536,
        seed: 42,
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
            embeddings: unit_gaussian(n, spec.dim, spec.seed, Stream::Base),
            texts: (0..n).map(|i| format!("文档内容 {i}")).collect(),
            sources: (0..n).map(|i| format!("source_{}.txt", i % 10)).collect(),
            timestamps: (0..n as i64).map(|i| base_timestamp + i).collect(),
        })
    }

    /// The embedding of row `i`.
    pub fn embedding(&self, i: usize) -> &[f32] {
        &self.embeddings[i * self.spec.dim..(i + 1) * self.spec.dim]
    }

    /// `nq` query vectors from the query stream of the same seed (the tutorial draws
    /// its queries from the same distribution as its data).
    pub fn queries(&self, nq: usize) -> Vec<f32> {
        unit_gaussian(nq, self.spec.dim, self.spec.seed, Stream::Queries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::dot;

    #[test]
    fn columns_follow_the_tutorial() {
        let spec = DataSpec {
            n: 25,
            dim: 16,
            seed: 7,
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
    fn sizes_are_validated() {
        let bad_dim = DataSpec {
            n: 1,
            dim: 40_000,
            seed: 0,
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
        };
        assert!(matches!(
            no_rows.validate(),
            Err(Error::OutOfRange { value: 0, .. })
        ));
        assert!(DataSpec::TUTORIAL.validate().is_ok());
    }
}
