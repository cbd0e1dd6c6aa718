use lambda_http::{Body, Request, Response};
use marketplace_http::{within_budget, AppState};

/// One list of the functions the local API serves: `dispatch` runs one, `FUNCTIONS` names them all.
macro_rules! functions {
    ($($name:literal => $krate:ident),* $(,)?) => {
        /// Runs the handler of the function named `function`, as its Lambda would (within the request
        /// budget). `None` for an unknown name.
        pub async fn dispatch(function: &str, state: &AppState, req: Request) -> Option<Response<Body>> {
            let budget = state.config.request_budget;
            Some(match function {
                $($name => within_budget(budget, req, |req| $krate::handle(state, req)).await,)*
                _ => return None,
            })
        }

        /// Every function [`dispatch`] can run (checked against the route table by a test).
        pub const FUNCTIONS: &[&str] = &[$($name),*];
    };
}

functions! {
    "list-items" => list_items,
    "get-item" => get_item,
    "get-me" => get_me,
    "list-item-versions" => list_item_versions,
    "featured-items" => featured_items,
    "list-categories" => list_categories,
    "marketplace-stats" => marketplace_stats,
    "install-item" => install_item,
    "install-plan" => install_plan,
    "uninstall-item" => uninstall_item,
    "list-installs" => list_installs,
    "list-updates" => list_updates,
    "apply-update" => apply_update,
    "submit-item" => submit_item,
    "publish-version" => publish_version,
    "admin-queue" => admin_queue,
    "approve-item" => approve_item,
    "reject-item" => reject_item,
    "feature-item" => feature_item,
    "delist-item" => delist_item,
    "mark-official" => mark_official,
    "clear-official" => clear_official,
    "review-item" => review_item,
    "list-reviews" => list_reviews,
    "delete-review" => delete_review,
    "hide-review" => hide_review,
    "unhide-review" => unhide_review,
    "list-submissions" => list_submissions,
    "withdraw-version" => withdraw_version,
    "yank-version" => yank_version,
    "unyank-version" => unyank_version,
    "revoke-item" => revoke_item,
    "list-advisories" => list_advisories,
    "moderation-log" => moderation_log,
    "verify-moderation-log" => verify_moderation_log,
    "create-catalog" => create_catalog,
    "list-catalogs" => list_catalogs,
    "add-catalog-workspace" => add_catalog_workspace,
    "remove-catalog-workspace" => remove_catalog_workspace,
    "catalog-queue" => catalog_queue,
    "catalog-moderation-log" => catalog_moderation_log,
}
