use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::{ItemKind, TestApp};

static RUN_STARTED: std::sync::LazyLock<chrono::DateTime<chrono::Utc>> =
    std::sync::LazyLock::new(chrono::Utc::now);

impl TestApp {
    /// A user with this auth subject (display name = subject, e-mail `<subject>@example.com`).
    pub async fn user(&self, subject: &str) -> i64 {
        self.insert_user(subject, "user").await
    }

    pub async fn admin(&self, subject: &str) -> i64 {
        self.insert_user(subject, "admin").await
    }

    async fn insert_user(&self, subject: &str, role: &str) -> i64 {
        self.db
            .query_one(
                "INSERT INTO users (auth_subject, display_name, email, system_role)
                 VALUES ($1, $1, $1 || '@example.com', $2) RETURNING id",
                &[&subject, &role],
            )
            .await
            .expect("insert user")
            .get("id")
    }

    pub async fn workspace(&self, name: &str) -> Uuid {
        self.db
            .query_one(
                "INSERT INTO workspaces (name) VALUES ($1) RETURNING id",
                &[&name],
            )
            .await
            .expect("insert workspace")
            .get("id")
    }

    pub async fn member(&self, workspace: Uuid, user_id: i64, role: &str) {
        self.db
            .execute(
                "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3)",
                &[&workspace, &user_id, &role],
            )
            .await
            .expect("insert member");
    }

    pub async fn tool_app(&self, slug: &str, name: &str, logo_url: &str) {
        self.db
            .execute(
                "INSERT INTO composio_apps_cache (app_slug, app_name, display_name, logo_url, auth_schemes)
                 VALUES ($1, $2, $2, $3, '[\"OAUTH2\"]')",
                &[&slug, &name, &logo_url],
            )
            .await
            .expect("insert tool app");
    }

    /// An approved marketplace item of `kind`, to adjust before `insert`.
    pub fn item(&self, kind: ItemKind, name: &str) -> ItemBuilder<'_> {
        let mut fields = Map::new();
        fields.insert("name".into(), name.into());
        fields.insert("is_approved".into(), true.into());
        // Fixture LLMs stand for the LLM catalog the service seeds, which is official.
        let own: &[(&str, Value)] = match kind {
            ItemKind::Llm => &[
                ("provider", json!("acme")),
                ("model_id", json!(name)),
                ("is_official", json!(true)),
            ],
            ItemKind::Tool => &[("app_slug", json!("gmail"))],
            _ => &[],
        };
        for (key, value) in own {
            fields.insert((*key).into(), value.clone());
        }
        ItemBuilder {
            app: self,
            kind,
            fields,
            workspace: None,
        }
    }

    /// Runs SQL for a fixture that has no helper.
    pub async fn exec(&self, sql: &str) {
        self.db.batch_execute(sql).await.expect("fixture SQL");
    }
}

#[must_use]
pub struct ItemBuilder<'a> {
    app: &'a TestApp,
    kind: ItemKind,
    fields: Map<String, Value>,
    workspace: Option<Uuid>,
}

impl ItemBuilder<'_> {
    /// Sets a column (or `creator`, `versions`, `tools`, `skills`; see `local_api::demo::insert_item`).
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    pub fn category(self, category: &str) -> Self {
        self.set("marketplace_category", category)
    }

    pub fn installs(self, count: i32) -> Self {
        self.set("install_count", count)
    }

    pub fn featured(self) -> Self {
        self.set("is_featured", true)
    }

    pub fn unapproved(self) -> Self {
        self.set("is_approved", false)
    }

    /// Created `seconds` before the start of the test run (and updated then too): items of equal age tie.
    pub fn age(self, seconds: i64) -> Self {
        let at = (*RUN_STARTED - chrono::Duration::seconds(seconds)).to_rfc3339();
        self.set("created_at", at.clone()).set("updated_at", at)
    }

    pub fn versions(self, versions: &[&str]) -> Self {
        let versions: Vec<Value> = versions
            .iter()
            .map(|v| json!({"version": v, "changelog": format!("Changes in {v}.")}))
            .collect();
        self.set("versions", versions)
    }

    pub fn in_workspace(mut self, workspace: Uuid) -> Self {
        self.workspace = Some(workspace);
        self.fields.remove("is_approved");
        self.fields.remove("is_official");
        self
    }

    /// Not official (an LLM fixture is, by default).
    pub fn unofficial(self) -> Self {
        self.set("is_official", false)
    }

    /// Inserts the item. A listing without a `creator` is published by `catalog-publisher`, so that the
    /// fixtures of one test are one publisher's catalog and their dependencies resolve among themselves.
    pub async fn insert(mut self) -> i64 {
        if self.workspace.is_none() && !self.fields.contains_key("creator") {
            self.app
                .exec(
                    "INSERT INTO users (auth_subject, display_name, email)
                     VALUES ('catalog-publisher', 'catalog-publisher', 'catalog-publisher@example.com')
                     ON CONFLICT DO NOTHING",
                )
                .await;
            self.fields
                .insert("creator".into(), "catalog-publisher".into());
        }
        local_api::demo::insert_item(&self.app.db, self.kind, &self.fields, self.workspace)
            .await
            .expect("insert item")
    }
}

impl TestApp {
    /// Publishes an approved version as approval does: a version row with a changelog, and the listing's
    /// `version` set, with `changes` (SQL assignments such as `configuration = '{}'`, or "") applied to it.
    pub async fn publish_version(&self, kind: ItemKind, id: i64, version: &str, changes: &str) {
        let table = kind.table();
        let kind = kind.as_str();
        let extra = if changes.is_empty() {
            String::new()
        } else {
            format!(", {changes}")
        };
        self.exec(&format!(
            "INSERT INTO item_versions (item_id, item_kind, version, changelog, status, published_at)
             VALUES ({id}, '{kind}', '{version}', 'Changes in {version}.', 'approved', now());
             UPDATE {table} SET version = '{version}', updated_at = now(){extra} WHERE id = {id};"
        ))
        .await;
    }

    /// A workspace with a member of each role: (workspace, owner subject, editor subject, viewer subject).
    pub async fn workspace_with_members(&self, name: &str) -> Uuid {
        let workspace = self.workspace(name).await;
        for role in ["owner", "editor", "viewer"] {
            let user = self.user(&format!("{name}-{role}")).await;
            self.member(workspace, user, role).await;
        }
        workspace
    }

    pub async fn count(&self, sql: &str) -> i64 {
        self.db
            .query_one(sql, &[])
            .await
            .expect("count query")
            .get(0)
    }
}
