//! Where IAM-authenticated connections go (`iam.rs` opens them; without the `iam` feature, a target
//! is read and refused).

/// Where an RDS Proxy is and who to connect to it as (IAM authentication).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamTarget {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub region: String,
}
