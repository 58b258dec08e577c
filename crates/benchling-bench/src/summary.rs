//! Percentiles of measured samples.

use serde::Serialize;

/// Nearest-rank percentiles of a sample, in the sample's unit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Number of values.
    pub count: usize,
    /// Median (nearest rank).
    pub p50: f64,
    /// 95th percentile (nearest rank).
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarizes `values`; returns `None` for an empty sample.
    pub fn of(values: &[f64]) -> Option<Summary> {
        if values.is_empty() {
            return None;
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Summary {
            count: sorted.len(),
            p50: nearest_rank(&sorted, 0.50),
            p95: nearest_rank(&sorted, 0.95),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// Returns the nearest-rank percentile `q` (0 to 1) of a sorted, non-empty slice.
pub fn nearest_rank(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Returns the median of a non-empty sample, by nearest rank.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    nearest_rank(&sorted, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_of_forty_values() {
        let values: Vec<f64> = (1..=40).map(f64::from).collect();
        let summary = Summary::of(&values).unwrap();
        assert_eq!(summary.p50, 20.0);
        assert_eq!(summary.p95, 38.0);
        assert_eq!(summary.max, 40.0);
    }

    #[test]
    fn summary_of_single_value() {
        let summary = Summary::of(&[0.5]).unwrap();
        assert_eq!(summary.p50, 0.5);
        assert_eq!(summary.p95, 0.5);
    }

    #[test]
    fn summary_of_empty_sample() {
        assert_eq!(Summary::of(&[]), None);
    }
}
