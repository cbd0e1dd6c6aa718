//! A client with one method a route, so that a test reads like the contract: who asks
//! (`app.as_user("acme-owner").in_workspace(acme)`), then what (`.install(agent)`), answered as a
//! [`TestResponse`] whose body reads as the contract's types ([`TestResponse::body`], `crate::contract_types`).
//! A request the helpers do not cover (a raw body, an odd header) starts from [`Client::call`].

use std::future::Future;

use serde_json::Value;

use crate::call::{Call, TestResponse};
use crate::TestApp;

/// Who a request comes from: a user (or nobody) and, for workspace routes, a workspace.
#[derive(Clone)]
pub struct Client<'a> {
    app: &'a TestApp,
    subject: Option<String>,
    workspace: Option<String>,
}

impl TestApp {
    /// Requests as the user with this auth subject.
    pub fn as_user(&self, subject: &str) -> Client<'_> {
        Client {
            app: self,
            subject: Some(subject.to_owned()),
            workspace: None,
        }
    }

    /// Requests with no caller (no claims), as API Gateway would never pass on.
    pub fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            subject: None,
            workspace: None,
        }
    }
}

const API: &str = "/api/marketplace";

impl<'a> Client<'a> {
    /// The same caller, in this workspace (`X-Workspace-Id`).
    pub fn in_workspace(&self, workspace: impl ToString) -> Self {
        Self {
            workspace: Some(workspace.to_string()),
            ..self.clone()
        }
    }

    /// A request from this caller to `path` (under `/api/marketplace`), to finish by hand.
    pub fn call(&self, method: &'static str, path: &str) -> Call<'a> {
        let uri = format!("{API}{path}");
        let mut call = match method {
            "GET" => self.app.get(uri),
            "POST" => self.app.post(uri),
            "DELETE" => self.app.delete(uri),
            "PUT" => self.app.put(uri),
            other => panic!("no route takes {other}"),
        };
        if let Some(subject) = &self.subject {
            call = call.as_user(subject);
        }
        if let Some(workspace) = &self.workspace {
            call = call.workspace(workspace);
        }
        call
    }

    // The requests are made here and sent by the future, which borrows only the app: a client can be a
    // temporary (`app.as_user(u).install(id)` returned from a closure).
    fn get(&self, path: String) -> impl Future<Output = TestResponse> + 'a {
        self.call("GET", &path).send()
    }

    fn post(&self, path: String, body: Option<&Value>) -> impl Future<Output = TestResponse> + 'a {
        let call = self.call("POST", &path);
        match body {
            Some(body) => call.json(body),
            None => call,
        }
        .send()
    }

    fn delete(&self, path: String) -> impl Future<Output = TestResponse> + 'a {
        self.call("DELETE", &path).send()
    }

    /// `GET /items?{query}` (`query` without the `?`; empty for none).
    pub fn list_items(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/items", query))
    }

    /// `GET /items/{id}`.
    pub fn item(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.get(format!("/items/{id}"))
    }

    /// `GET /items/{id}/versions`.
    pub fn versions(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.get(format!("/items/{id}/versions"))
    }

    /// `GET /featured?{query}`.
    pub fn featured(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/featured", query))
    }

    /// `GET /categories`.
    pub fn categories(&self) -> impl Future<Output = TestResponse> + 'a {
        self.get("/categories".into())
    }

    /// `GET /stats`.
    pub fn stats(&self) -> impl Future<Output = TestResponse> + 'a {
        self.get("/stats".into())
    }

    /// `GET /me`.
    pub fn me(&self) -> impl Future<Output = TestResponse> + 'a {
        self.get("/me".into())
    }

    /// `POST /items/{id}/install` with no body.
    pub fn install(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/install"), None)
    }

    /// `POST /items/{id}/install` with no body, answering a consent refusal with the refusal itself.
    pub fn install_without_consent(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.call("POST", &format!("/items/{id}/install"))
            .without_consent()
            .send()
    }

    /// `POST /items/{id}/install` consenting to the capabilities of `digest` (`Accept-Capabilities`).
    pub fn install_accepting(
        &self,
        id: i64,
        digest: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.call("POST", &format!("/items/{id}/install"))
            .header("accept-capabilities", digest)
            .send()
    }

    /// `POST /items/{id}/install` with a body (`idempotency_key`, `dependencies`, …).
    pub fn install_with(&self, id: i64, body: &Value) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/install"), Some(body))
    }

    /// `GET /items/{id}/install-plan`.
    pub fn install_plan(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.get(format!("/items/{id}/install-plan"))
    }

    /// `DELETE /installs/{install_id}?{query}`.
    pub fn uninstall(
        &self,
        install_id: i64,
        query: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.delete(with_query(&format!("/installs/{install_id}"), query))
    }

    /// `GET /installs?{query}`.
    pub fn installs(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/installs", query))
    }

    /// `GET /updates?{query}`.
    pub fn updates(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/updates", query))
    }

    /// `POST /installs/{install_id}/update`, with a body when given.
    pub fn apply_update(
        &self,
        install_id: i64,
        body: Option<&Value>,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/installs/{install_id}/update"), body)
    }

    /// `POST /items/submit`.
    pub fn submit(&self, body: &Value) -> impl Future<Output = TestResponse> + 'a {
        self.post("/items/submit".into(), Some(body))
    }

    /// `POST /items/{id}/versions`.
    pub fn publish_version(
        &self,
        id: i64,
        body: &Value,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/versions"), Some(body))
    }

    /// `GET /admin/queue?{query}`.
    pub fn queue(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/admin/queue", query))
    }

    /// `POST /items/{id}/approve`, with a body when given (`version`).
    pub fn approve(
        &self,
        id: i64,
        body: Option<&Value>,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/approve"), body)
    }

    /// `POST /items/{id}/reject` with `{"reason"}` (and `version` when given in `body`).
    pub fn reject(&self, id: i64, body: &Value) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/reject"), Some(body))
    }

    /// `POST /items/{id}/feature` with `{"featured"}`.
    pub fn feature(&self, id: i64, featured: bool) -> impl Future<Output = TestResponse> + 'a {
        let body = serde_json::json!({ "featured": featured });
        self.post(format!("/items/{id}/feature"), Some(&body))
    }

    /// `DELETE /items/{id}`: delist.
    pub fn delist(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.delete(format!("/items/{id}"))
    }

    /// `POST /items/{id}/official`.
    pub fn mark_official(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/official"), None)
    }

    /// `DELETE /items/{id}/official`.
    pub fn clear_official(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.delete(format!("/items/{id}/official"))
    }

    /// `GET /items/{id}/reviews?{query}`.
    pub fn reviews(&self, id: i64, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query(&format!("/items/{id}/reviews"), query))
    }

    /// `POST /items/{id}/reviews`.
    pub fn review(&self, id: i64, body: &Value) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/reviews"), Some(body))
    }

    /// `DELETE /items/{id}/reviews/mine`.
    pub fn delete_review(&self, id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.delete(format!("/items/{id}/reviews/mine"))
    }

    /// `POST /reviews/{review_id}/hide` with `{"reason"}`.
    pub fn hide_review(
        &self,
        review_id: i64,
        reason: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        let body = serde_json::json!({ "reason": reason });
        self.post(format!("/reviews/{review_id}/hide"), Some(&body))
    }

    /// `POST /reviews/{review_id}/unhide`.
    pub fn unhide_review(&self, review_id: i64) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/reviews/{review_id}/unhide"), None)
    }

    /// `GET /submissions?{query}`.
    pub fn submissions(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/submissions", query))
    }

    /// `POST /items/{id}/versions/{version}/withdraw`.
    pub fn withdraw(&self, id: i64, version: &str) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/versions/{version}/withdraw"), None)
    }

    /// `POST /items/{id}/versions/{version}/yank` with `{"reason"}`.
    pub fn yank(
        &self,
        id: i64,
        version: &str,
        reason: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        let body = serde_json::json!({ "reason": reason });
        self.post(format!("/items/{id}/versions/{version}/yank"), Some(&body))
    }

    /// `DELETE /items/{id}/versions/{version}/yank`.
    pub fn unyank(&self, id: i64, version: &str) -> impl Future<Output = TestResponse> + 'a {
        self.delete(format!("/items/{id}/versions/{version}/yank"))
    }

    /// `POST /items/{id}/revoke` with `{"reason", "severity", "versions"?}`.
    pub fn revoke(&self, id: i64, body: &Value) -> impl Future<Output = TestResponse> + 'a {
        self.post(format!("/items/{id}/revoke"), Some(body))
    }

    /// `GET /advisories?{query}`.
    pub fn advisories(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/advisories", query))
    }

    /// `GET /moderation-log?{query}`.
    pub fn moderation_log(&self, query: &str) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query("/moderation-log", query))
    }

    /// `GET /moderation-log/verify`.
    pub fn verify_moderation_log(&self) -> impl Future<Output = TestResponse> + 'a {
        self.get("/moderation-log/verify".into())
    }

    /// `POST /catalogs` `{"name"}` (in this client's workspace).
    pub fn create_catalog(&self, name: &str) -> impl Future<Output = TestResponse> + 'a {
        self.post(
            "/catalogs".into(),
            Some(&serde_json::json!({ "name": name })),
        )
    }

    /// `GET /catalogs`.
    pub fn catalogs(&self) -> impl Future<Output = TestResponse> + 'a {
        self.get("/catalogs".into())
    }

    /// `PUT /catalogs/{catalog}/workspaces/{workspace}`.
    pub fn add_to_catalog(
        &self,
        catalog: i64,
        workspace: impl ToString,
    ) -> impl Future<Output = TestResponse> + 'a {
        let path = format!("/catalogs/{catalog}/workspaces/{}", workspace.to_string());
        self.call("PUT", &path).send()
    }

    /// `DELETE /catalogs/{catalog}/workspaces/{workspace}`.
    pub fn remove_from_catalog(
        &self,
        catalog: i64,
        workspace: impl ToString,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.delete(format!(
            "/catalogs/{catalog}/workspaces/{}",
            workspace.to_string()
        ))
    }

    /// `GET /catalogs/{catalog}/queue?{query}`.
    pub fn catalog_queue(
        &self,
        catalog: i64,
        query: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query(&format!("/catalogs/{catalog}/queue"), query))
    }

    /// `GET /catalogs/{catalog}/moderation-log?{query}`.
    pub fn catalog_log(
        &self,
        catalog: i64,
        query: &str,
    ) -> impl Future<Output = TestResponse> + 'a {
        self.get(with_query(
            &format!("/catalogs/{catalog}/moderation-log"),
            query,
        ))
    }
}

fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}
