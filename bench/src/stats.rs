use std::time::Duration;

/// Percentiles of a set of timings, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Percentiles {
    pub fn of(samples: &[Duration]) -> Self {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
        ms.sort_by(f64::total_cmp);
        let at = |p: usize| {
            ms.get((ms.len() * p / 100).min(ms.len().saturating_sub(1)))
                .copied()
                .unwrap_or(0.0)
        };
        Self {
            p50: at(50),
            p95: at(95),
            p99: at(99),
        }
    }
}
