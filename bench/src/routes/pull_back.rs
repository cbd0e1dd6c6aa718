//! The lists that pulling back and the public record added: a workspace's submissions, its advisories, and
//! the moderation log, each timed against its SQL floor.

use super::floor::Read;
use super::scenarios::time_read;
use super::{Bench, Call, Installed, RouteResult};
use crate::Error;

/// How many of the first workspace's installed listings get a revoked version (its advisories).
const REVOKED: usize = 20;
/// How many entries the moderation log gets before it is read.
const LOGGED: i64 = 10_000;

impl Bench {
    /// Revokes the installed versions of a few of the first workspace's listings (so it has advisories),
    /// then times the three lists. Run last: a revoked listing no longer installs.
    pub(super) async fn measure_pull_back_lists(
        &self,
        first_installs: &[Installed],
        samples: usize,
    ) -> Result<Vec<RouteResult>, Error> {
        let workspace = self.workspaces[0];
        let items: Vec<i64> = first_installs
            .iter()
            .take(REVOKED)
            .map(|installed| installed.item)
            .collect();
        // As a revocation leaves them: the installed version of each, revoked, with a severity.
        self.setup
            .execute(
                "INSERT INTO item_versions (item_id, item_kind, version, changelog, status, published_at,
                                            revoked_at, revoke_reason, revoke_severity)
                 SELECT DISTINCT ON (i.item_id) i.item_id, i.item_kind, i.installed_version, 'Benchmark',
                        'approved', now(), now(), 'Benchmark',
                        (ARRAY['low', 'medium', 'high', 'critical'])[1 + i.item_id % 4]
                 FROM marketplace_installs i WHERE i.workspace_id = $1 AND i.item_id = ANY($2)
                 ORDER BY i.item_id
                 ON CONFLICT (item_id, version) DO UPDATE
                     SET revoked_at = now(), revoke_reason = 'Benchmark', revoke_severity = excluded.revoke_severity",
                &[&workspace, &items],
            )
            .await?;
        // A public record of some length: one approval per listing, up to LOGGED of them.
        self.setup
            .execute(
                "SELECT marketplace_log_moderation(now(), 'approve', 'agent', a.id, a.version, NULL, NULL)
                 FROM (SELECT id, version FROM agents WHERE owner_type = 'marketplace' AND catalog_id IS NULL
                       ORDER BY id LIMIT $1) a",
                &[&LOGGED],
            )
            .await?;
        let cases = [
            (
                "submissions: first page",
                Call::get("/api/marketplace/submissions"),
                Read::Submissions,
            ),
            (
                "advisories",
                Call::get("/api/marketplace/advisories"),
                Read::Advisories,
            ),
            (
                "moderation log: first page",
                Call::get("/api/marketplace/moderation-log"),
                Read::ModerationLog,
            ),
        ];
        let mut results = Vec::new();
        for (name, call, read) in cases {
            let call = call.in_workspace(workspace);
            results.push(
                time_read(
                    &self.state,
                    name,
                    |_| &call,
                    |_| &read,
                    samples,
                    self.member,
                    workspace.into(),
                )
                .await?,
            );
        }
        Ok(results)
    }
}
