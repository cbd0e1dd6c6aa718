//! The contract's response bodies (openapi.yaml, components/schemas), as tests read them: only the fields
//! tests look at, by their JSON names. Every response is also checked against the whole schema
//! (`contract.rs`); these types are how a test reads it without indexing JSON by hand.

use serde::Deserialize;
use serde_json::Value;

use marketplace_catalog::ItemKind;

/// `ItemPage`: `GET /items`.
#[derive(Debug, Deserialize)]
pub struct ItemPage {
    pub items: Vec<ItemSummary>,
    pub total: i64,
    pub total_exact: bool,
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub suggestions: Option<Vec<String>>,
}

impl ItemPage {
    pub fn ids(&self) -> Vec<i64> {
        self.items.iter().map(|item| item.id).collect()
    }

    pub fn names(&self) -> Vec<&str> {
        self.items.iter().map(|item| item.name.as_str()).collect()
    }
}

/// `ItemSummary`: one listing in a page.
#[derive(Debug, Deserialize)]
pub struct ItemSummary {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
    pub category: Option<String>,
    pub version: String,
    pub install_count: i64,
    pub active_installs: i64,
    pub workspace_count: i64,
    pub is_featured: bool,
    pub is_official: bool,
    pub is_approved: bool,
    pub metadata: Value,
}

/// `ItemRef`: a listing or a workspace copy, by id, kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ItemRef {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub name: String,
}

/// `Install`: what `POST /items/{id}/install` made.
#[derive(Debug, Deserialize)]
pub struct Install {
    pub install_id: i64,
    pub item: ItemRef,
    pub installed: ItemRef,
    pub version: String,
    pub requires_setup: Vec<Value>,
    pub warnings: Vec<String>,
    pub dependencies: Vec<InstalledDependency>,
}

/// One entry of an install's `dependencies`.
#[derive(Debug, Deserialize)]
pub struct InstalledDependency {
    pub action: String,
    pub install_id: Option<i64>,
    pub item: ItemRef,
    pub installed: ItemRef,
}

/// `InstallPlan`: `GET /items/{id}/install-plan`.
#[derive(Debug, Deserialize)]
pub struct InstallPlan {
    pub item: ItemRef,
    pub steps: Vec<PlanStep>,
    pub requires_setup: Vec<Value>,
    pub warnings: Vec<String>,
}

/// One step of an install plan.
#[derive(Debug, Deserialize)]
pub struct PlanStep {
    pub action: String,
    #[serde(rename = "type")]
    pub kind: ItemKind,
    pub item_id: i64,
    pub name: String,
    pub as_name: Option<String>,
    pub existing_id: Option<i64>,
}

/// `Pending`: what a submission or a new version is until reviewed.
#[derive(Debug, Deserialize)]
pub struct Pending {
    pub item_id: i64,
    pub status: String,
    pub version: String,
}

/// `InstallsPage`: `GET /installs`.
#[derive(Debug, Deserialize)]
pub struct InstallsPage {
    pub installs: Vec<InstallEntry>,
    pub next_cursor: Option<String>,
}

/// One install of `GET /installs`.
#[derive(Debug, Deserialize)]
pub struct InstallEntry {
    pub install_id: i64,
    pub item: Value,
    pub copy: Option<Value>,
    pub installed_version: String,
    pub latest_version: String,
    pub update_available: bool,
    pub parent_install_id: Option<i64>,
    pub uninstalled_at: Option<String>,
}
