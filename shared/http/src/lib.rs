//! What every function shares between API Gateway and the domain: who is calling, which workspace,
//! typed parameters, problem+json errors (one type, one mapping), JSON responses, the route table, and
//! the Lambda runtime loop. Nothing here writes SQL about items.

mod body;
mod budget;
mod caller;
mod consent;
mod error;
mod field_rules;
mod hints;
mod install_list;
mod query_params;
mod queue_query;
mod read;
mod request_scope;
mod response;
pub mod routes;
mod runtime;
mod state;
mod strict_json;
mod workspace;

pub use body::{body_too_large, JsonFields, MAX_BODY_BYTES};
pub use budget::within_budget;
pub use caller::Caller;
pub use consent::{accepted_capabilities, ACCEPT_CAPABILITIES_HEADER};
pub use error::{ApiError, FieldError};
pub use install_list::InstallListPage;
pub use lambda_http::http::StatusCode;
pub use lambda_http::{Body, Request, Response};
pub use query_params::{path_id, path_version, path_workspace_id, QueryParams};
pub use queue_query::queue_query;
pub use read::{Attempt, ReadSession, Reader};
pub use request_scope::REQUEST_ID_HEADER;
pub use response::{json, no_content, respond, HandlerResult};
pub use runtime::run;
pub use state::{AppState, Config, ConfigError, Db, Session};
pub use workspace::{
    admin_or_workspace_session, optional_workspace_session, remembered_workspace_session,
    workspace_session, Access, WorkspaceAccess,
};
