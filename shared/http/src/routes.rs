//! The route table: every API route and the function that serves it. `template.yaml`, the function crates
//! and the local API are checked against this list.

use std::collections::HashMap;

pub const BASE_PATH: &str = "/api/marketplace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    /// Path template below nothing (full path, `{name}` for a parameter), as API Gateway writes it.
    pub path: &'static str,
    /// The function crate (and Lambda function) serving the route.
    pub function: &'static str,
}

const fn route(method: &'static str, path: &'static str, function: &'static str) -> Route {
    Route {
        method,
        path,
        function,
    }
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route("GET",    "/api/marketplace/items",                          "list-items"),
    route("GET",    "/api/marketplace/items/{id}",                     "get-item"),
    route("GET",    "/api/marketplace/items/{id}/versions",            "list-item-versions"),
    route("GET",    "/api/marketplace/featured",                       "featured-items"),
    route("GET",    "/api/marketplace/categories",                     "list-categories"),
    route("GET",    "/api/marketplace/stats",                          "marketplace-stats"),
    route("GET",    "/api/marketplace/me",                             "get-me"),
    route("POST",   "/api/marketplace/items/{id}/install",             "install-item"),
    route("GET",    "/api/marketplace/items/{id}/install-plan",        "install-plan"),
    route("GET",    "/api/marketplace/installs",                       "list-installs"),
    route("GET",    "/api/marketplace/updates",                        "list-updates"),
    route("POST",   "/api/marketplace/installs/{install_id}/update",   "apply-update"),
    route("DELETE", "/api/marketplace/installs/{install_id}",          "uninstall-item"),
    route("POST",   "/api/marketplace/items/submit",                   "submit-item"),
    route("POST",   "/api/marketplace/items/{id}/versions",            "publish-version"),
    route("GET",    "/api/marketplace/admin/queue",                    "admin-queue"),
    route("POST",   "/api/marketplace/items/{id}/approve",             "approve-item"),
    route("POST",   "/api/marketplace/items/{id}/reject",              "reject-item"),
    route("POST",   "/api/marketplace/items/{id}/feature",             "feature-item"),
    route("DELETE", "/api/marketplace/items/{id}",                     "delist-item"),
    route("POST",   "/api/marketplace/items/{id}/official",            "mark-official"),
    route("DELETE", "/api/marketplace/items/{id}/official",            "clear-official"),
    route("POST",   "/api/marketplace/items/{id}/reviews",             "review-item"),
    route("GET",    "/api/marketplace/items/{id}/reviews",             "list-reviews"),
    route("DELETE", "/api/marketplace/items/{id}/reviews/mine",        "delete-review"),
    route("POST",   "/api/marketplace/reviews/{review_id}/hide",       "hide-review"),
    route("POST",   "/api/marketplace/reviews/{review_id}/unhide",     "unhide-review"),
    route("GET",    "/api/marketplace/submissions",                    "list-submissions"),
    route("POST",   "/api/marketplace/items/{id}/versions/{version}/withdraw", "withdraw-version"),
    route("POST",   "/api/marketplace/items/{id}/versions/{version}/yank", "yank-version"),
    route("DELETE", "/api/marketplace/items/{id}/versions/{version}/yank", "unyank-version"),
    route("POST",   "/api/marketplace/items/{id}/revoke",              "revoke-item"),
    route("GET",    "/api/marketplace/advisories",                     "list-advisories"),
    route("GET",    "/api/marketplace/moderation-log",                 "moderation-log"),
    route("GET",    "/api/marketplace/moderation-log/verify",          "verify-moderation-log"),
    route("POST",   "/api/marketplace/catalogs",                       "create-catalog"),
    route("GET",    "/api/marketplace/catalogs",                       "list-catalogs"),
    route("PUT",    "/api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}", "add-catalog-workspace"),
    route("DELETE", "/api/marketplace/catalogs/{catalog_id}/workspaces/{workspace_id}", "remove-catalog-workspace"),
    route("GET",    "/api/marketplace/catalogs/{catalog_id}/queue",    "catalog-queue"),
    route("GET",    "/api/marketplace/catalogs/{catalog_id}/moderation-log", "catalog-moderation-log"),
];

/// The route serving `method` and `path`, with its path parameters. A literal segment wins over a parameter
/// (as in API Gateway), so `/items/submit` never reads as `/items/{id}`.
pub fn match_route(method: &str, path: &str) -> Option<(&'static Route, HashMap<String, String>)> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    ROUTES
        .iter()
        .filter(|route| route.method.eq_ignore_ascii_case(method))
        .filter_map(|route| {
            let template: Vec<&str> = route.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut params = HashMap::new();
            for (expected, actual) in template.iter().zip(&segments) {
                match expected.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if !actual.is_empty() => {
                        params.insert(name.to_owned(), (*actual).to_owned());
                    }
                    Some(_) => return None,
                    None if expected == actual => {}
                    None => return None,
                }
            }
            Some((route, params))
        })
        .min_by_key(|(_, params)| params.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_parameters_and_prefers_literal_segments() {
        let (route, params) = match_route("GET", "/api/marketplace/items/42/versions").unwrap();
        assert_eq!(route.function, "list-item-versions");
        assert_eq!(params["id"], "42");
        let (route, params) = match_route("GET", "/api/marketplace/items").unwrap();
        assert_eq!(route.function, "list-items");
        assert!(params.is_empty());
        assert!(match_route("GET", "/api/marketplace/items/42/nope").is_none());
        assert!(match_route("PATCH", "/api/marketplace/items/42").is_none());
        assert!(match_route("GET", "/api/marketplace/items//versions").is_none());
    }

    #[test]
    fn every_route_is_under_the_base_path_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for route in ROUTES {
            assert!(route.path.starts_with(BASE_PATH), "{route:?}");
            assert!(seen.insert((route.method, route.path)), "{route:?} twice");
        }
    }
}
