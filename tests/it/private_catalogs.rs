//! Private catalogs: a team's listings, seen and installed by the workspaces in its catalog, reviewed by the
//! catalog's admins, and invisible to everyone else through every read route.

use std::collections::BTreeSet;

use harness::{ItemKind, TestApp, TestResponse};
use serde_json::{json, Value};
use uuid::Uuid;

/// Every private listing's name and description carry this, so a leak shows in any response text.
const MARK: &str = "Qzxv";

/// Corp owns a catalog that Team is in; Outsider is in none. Corp's editor publishes into the catalog.
struct Org {
    app: TestApp,
    corp: Uuid,
    team: Uuid,
    outsider: Uuid,
    catalog: i64,
}

async fn org() -> Org {
    let app = TestApp::new().await;
    let corp = app.workspace_with_members("corp").await;
    let team = app.workspace_with_members("team").await;
    let outsider = app.workspace_with_members("out").await;
    app.admin("boss").await;
    let created = app
        .as_user("corp-owner")
        .in_workspace(corp)
        .create_catalog("Corp Agents")
        .await;
    created.assert_status(201);
    assert_eq!(created.json["is_admin"], true);
    assert_eq!(created.json["workspaces"], json!([corp]));
    let catalog = created.json["id"].as_i64().unwrap();
    app.as_user("corp-owner")
        .add_to_catalog(catalog, team)
        .await
        .assert_status(204);
    Org {
        app,
        corp,
        team,
        outsider,
        catalog,
    }
}

impl Org {
    fn publisher(&self) -> harness::Client<'_> {
        self.app.as_user("corp-editor").in_workspace(self.corp)
    }

    fn member(&self) -> harness::Client<'_> {
        self.app.as_user("team-editor").in_workspace(self.team)
    }

    fn outsider(&self) -> harness::Client<'_> {
        self.app.as_user("out-editor").in_workspace(self.outsider)
    }

    /// Submits workspace item `source` into `catalog` (public when `None`) and returns the listing id.
    async fn submit(&self, kind: &str, source: i64, catalog: Option<i64>) -> i64 {
        let mut body = json!({"item_type": kind, "item_id": source, "version": "1.0.0"});
        if let Some(catalog) = catalog {
            body["catalog_id"] = json!(catalog);
        }
        let submitted = self.publisher().submit(&body).await;
        submitted.assert_status(201);
        submitted.json["item_id"].as_i64().unwrap()
    }

    /// A private listing of `kind` approved by the catalog's admin.
    async fn private(&self, kind: ItemKind, name: &str, extra: &[(&str, Value)]) -> i64 {
        let mut item = self
            .app
            .item(kind, &format!("{MARK} {name}"))
            .set("description", format!("Internal {MARK} tooling"))
            .category("Qzxv Internal")
            .in_workspace(self.corp);
        for (key, value) in extra {
            item = item.set(key, value.clone());
        }
        let source = item.insert().await;
        let listing = self.submit(kind.as_str(), source, Some(self.catalog)).await;
        self.app
            .as_user("corp-owner")
            .approve(listing, None)
            .await
            .assert_status(200);
        listing
    }
}

fn ids(response: &TestResponse, field: &str) -> BTreeSet<i64> {
    response.assert_status(200);
    response.json[field]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn catalogs_are_made_joined_and_left_by_the_right_people() {
    let org = org().await;
    let app = &org.app;
    // Only an owner or admin of the workspace may make it a catalog's owner; a name is its workspace's once.
    app.as_user("corp-editor")
        .in_workspace(org.corp)
        .create_catalog("Mine")
        .await
        .assert_problem(403, "forbidden");
    app.as_user("corp-owner")
        .in_workspace(org.corp)
        .create_catalog("corp agents")
        .await
        .assert_problem(409, "catalog_name_taken");
    app.as_user("corp-owner")
        .in_workspace(org.corp)
        .create_catalog(" ")
        .await
        .assert_status(400);
    let leaked = app
        .as_user("corp-owner")
        .in_workspace(org.corp)
        .create_catalog("Team sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c")
        .await;
    leaked.assert_status(422);
    assert!(!leaked.text.contains("4f9a8b7c"), "{}", leaked.text);
    // Members list it; only its admins see which workspaces are in it.
    let listed = app.as_user("team-viewer").catalogs().await;
    listed.assert_status(200);
    assert_eq!(listed.json["catalogs"][0]["name"], "Corp Agents");
    assert_eq!(listed.json["catalogs"][0]["is_admin"], false);
    assert_eq!(listed.json["catalogs"][0]["workspace_count"], 2);
    assert_eq!(listed.json["catalogs"][0]["workspaces"], Value::Null);
    let own = app.as_user("corp-owner").catalogs().await;
    assert_eq!(
        own.json["catalogs"][0]["workspaces"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.as_user("out-owner").catalogs().await.json["catalogs"],
        json!([])
    );
    // A member who is not its admin may not add; an outsider is told it does not exist.
    app.as_user("team-owner")
        .add_to_catalog(org.catalog, org.outsider)
        .await
        .assert_problem(403, "forbidden");
    app.as_user("out-owner")
        .add_to_catalog(org.catalog, org.outsider)
        .await
        .assert_problem(404, "not_found");
    app.as_user("corp-owner")
        .add_to_catalog(org.catalog, Uuid::new_v4())
        .await
        .assert_problem(404, "not_found");
    app.as_user("corp-owner")
        .add_to_catalog(org.catalog + 1000, org.outsider)
        .await
        .assert_problem(404, "not_found");
    // Adding twice is fine; the owner workspace cannot leave; a workspace's own owner may take it out.
    app.as_user("corp-owner")
        .add_to_catalog(org.catalog, org.team)
        .await
        .assert_status(204);
    app.as_user("corp-owner")
        .remove_from_catalog(org.catalog, org.corp)
        .await
        .assert_problem(409, "catalog_owner_workspace");
    app.as_user("team-editor")
        .remove_from_catalog(org.catalog, org.team)
        .await
        .assert_problem(403, "forbidden");
    app.as_user("team-owner")
        .remove_from_catalog(org.catalog, org.team)
        .await
        .assert_status(204);
    app.as_user("corp-owner")
        .remove_from_catalog(org.catalog, org.team)
        .await
        .assert_status(204);
    assert_eq!(
        app.as_user("team-owner").catalogs().await.json["catalogs"],
        json!([])
    );
}

#[tokio::test]
async fn a_private_listing_is_reviewed_by_its_catalog_and_logged_in_its_own_chain() {
    let org = org().await;
    let app = &org.app;
    let source = app
        .item(ItemKind::Skill, &format!("{MARK} Review Helper"))
        .in_workspace(org.corp)
        .insert()
        .await;
    // A workspace outside the catalog cannot publish into it.
    let outside_source = app
        .item(ItemKind::Skill, "Outside")
        .in_workspace(org.outsider)
        .insert()
        .await;
    org.outsider()
        .submit(
            &json!({"item_type": "skill", "item_id": outside_source, "catalog_id": org.catalog}),
        )
        .await
        .assert_problem(404, "not_found");
    let listing = org.submit("skill", source, Some(org.catalog)).await;

    // The catalog's queue, not the marketplace's.
    let queue = app
        .as_user("corp-owner")
        .catalog_queue(org.catalog, "")
        .await;
    queue.assert_status(200);
    assert_eq!(queue.json["items"][0]["item_id"], listing);
    let marketplace = app.as_user("boss").queue("").await;
    assert!(!marketplace.text.contains(MARK), "{}", marketplace.text);
    app.as_user("team-owner")
        .catalog_queue(org.catalog, "")
        .await
        .assert_problem(403, "forbidden");
    app.as_user("out-owner")
        .catalog_queue(org.catalog, "")
        .await
        .assert_problem(404, "not_found");
    // Its admins review it; a member of the catalog may not, an outsider does not see it.
    app.as_user("team-owner")
        .approve(listing, None)
        .await
        .assert_problem(403, "forbidden");
    app.as_user("out-owner")
        .approve(listing, None)
        .await
        .assert_problem(404, "not_found");
    app.as_user("corp-owner")
        .approve(listing, None)
        .await
        .assert_status(200);
    let history = app
        .as_user("corp-owner")
        .catalog_queue(org.catalog, "status=approved")
        .await;
    assert_eq!(history.json["items"][0]["item_id"], listing);

    // A new version may not move it to another catalog or to the public.
    org.publisher()
        .publish_version(
            listing,
            &json!({"version": "1.1.0", "catalog_id": org.catalog + 1}),
        )
        .await
        .assert_status(422);
    org.publisher()
        .publish_version(
            listing,
            &json!({"version": "1.1.0", "catalog_id": org.catalog}),
        )
        .await
        .assert_status(201);
    app.as_user("corp-owner")
        .reject(
            listing,
            &json!({"reason": "Not yet", "public_reason": true}),
        )
        .await
        .assert_status(200);

    // The catalog's own chain holds its actions; the public log holds none of them.
    let log = org.member().catalog_log(org.catalog, "").await;
    log.assert_status(200);
    let actions: Vec<&str> = log.json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["reject", "approve"]);
    assert_eq!(log.json["entries"][1]["seq"], 1);
    assert_eq!(log.json["entries"][1]["prev_hash"], "0".repeat(64));
    assert_eq!(
        log.json["entries"][0]["prev_hash"],
        log.json["entries"][1]["hash"]
    );
    org.outsider()
        .catalog_log(org.catalog, "")
        .await
        .assert_problem(404, "not_found");
    let public = org.outsider().moderation_log("limit=100").await;
    public.assert_status(200);
    assert!(
        public.json["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|entry| entry["item"]["id"] != listing),
        "{}",
        public.text
    );
    // Marketplace admins see it and may delist it.
    app.as_user("boss").item(listing).await.assert_status(200);
    app.as_user("boss").delist(listing).await.assert_status(204);
    org.member().item(listing).await.assert_status(404);
}

/// Every place a private listing could leak, closed to an outsider and open to a member, also right after
/// the member's workspace leaves the catalog.
#[tokio::test]
async fn a_private_listing_is_invisible_outside_its_catalog_everywhere() {
    let org = org().await;
    let app = &org.app;
    let public = app
        .item(ItemKind::Skill, "Public Helper")
        .category("Writing")
        .insert()
        .await;

    let llm = org
        .private(
            ItemKind::Llm,
            "Model",
            &[
                ("model_id", json!("corp-model")),
                ("provider", json!("corp")),
            ],
        )
        .await;
    let agent = org
        .private(
            ItemKind::Agent,
            "Zebra Agent",
            &[("model_config", json!({"model": "corp-model"}))],
        )
        .await;
    let skill = org.private(ItemKind::Skill, "Zebra Skill", &[]).await;
    let private = [llm, agent, skill];
    // A public agent of the same publisher asking for the same model never gets the private LLM.
    let public_agent_source = app
        .item(ItemKind::Agent, "Public Zebra Agent")
        .set("model_config", json!({"model": "corp-model"}))
        .in_workspace(org.corp)
        .insert()
        .await;
    let public_agent = org.submit("agent", public_agent_source, None).await;
    app.as_user("boss")
        .approve(public_agent, None)
        .await
        .assert_status(200);
    app.as_user("boss")
        .feature(agent, true)
        .await
        .assert_status(200);

    // The member sees them, marked private, mixed into one listing, and can install with the dependency.
    let detail = org.member().item(agent).await;
    detail.assert_status(200);
    assert_eq!(detail.json["visibility"], "private");
    assert_eq!(
        detail.json["catalog"],
        json!({"id": org.catalog, "name": "Corp Agents"})
    );
    assert_eq!(detail.json["dependencies"]["llm"]["id"], llm);
    let listed = ids(&org.member().list_items("limit=100").await, "items");
    assert!(private.iter().all(|id| listed.contains(id)) && listed.contains(&public));
    let one_catalog = org
        .member()
        .list_items(&format!("catalog={}&limit=100", org.catalog))
        .await;
    assert_eq!(ids(&one_catalog, "items"), private.into_iter().collect());
    assert_eq!(one_catalog.json["total"], 3);
    assert_eq!(
        org.member().list_items("limit=100").await.json["total"],
        org.outsider().list_items("limit=100").await.json["total"]
            .as_i64()
            .unwrap()
            + 3
    );
    let plan = org.member().install_plan(agent).await;
    plan.assert_status(200);
    assert!(plan.text.contains(&llm.to_string()));
    let installed = org.member().install(agent).await;
    installed.assert_status(201);
    org.publisher().install(agent).await.assert_status(201);
    let featured = ids(&org.member().featured("").await, "items");
    assert!(featured.contains(&agent));
    org.member()
        .review(agent, &json!({"rating": 5}))
        .await
        .assert_status(201);
    org.member().reviews(agent, "").await.assert_status(200);
    let plan = org.outsider().install_plan(public_agent).await;
    plan.assert_status(200);
    assert!(!plan.text.contains(MARK), "{}", plan.text);

    assert_closed(&org, org.outsider(), &private).await;
    // The figures count the two public listings only: no private listing, install or installing workspace.
    let stats = org.outsider().stats().await.json;
    assert_eq!(
        (
            &stats["total_items"],
            &stats["by_type"]["llm"],
            &stats["active_installs"],
            &stats["workspace_count"]
        ),
        (&json!(2), &json!(0), &json!(0), &json!(0)),
        "{stats}"
    );
    org.outsider()
        .list_items(&format!("catalog={}", org.catalog))
        .await
        .assert_problem(404, "not_found");

    // Taken out of the catalog: its copy stays, updates stop, and it no longer sees or installs anything.
    let copy = installed.json["installed"]["id"].as_i64().unwrap();
    app.as_user("team-owner")
        .remove_from_catalog(org.catalog, org.team)
        .await
        .assert_status(204);
    assert_closed(&org, org.member(), &private).await;
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM agents WHERE id = {copy}"))
            .await,
        1
    );
    let source: i64 = app
        .db
        .query_one("SELECT cloned_from_id FROM agents WHERE id = $1", &[&agent])
        .await
        .unwrap()
        .get(0);
    app.exec(&format!(
        "UPDATE agents SET description = 'Internal {MARK} tooling, v2' WHERE id = {source}"
    ))
    .await;
    org.publisher()
        .publish_version(agent, &json!({"version": "1.1.0"}))
        .await
        .assert_status(201);
    app.as_user("corp-owner")
        .approve(agent, None)
        .await
        .assert_status(200);
    let updates = org.member().updates("").await;
    updates.assert_status(200);
    assert_eq!(updates.json["updates"], json!([]), "{}", updates.text);
    let still_in = org.publisher().updates("").await;
    assert_eq!(
        still_in.json["updates"][0]["item_id"], agent,
        "{}",
        still_in.text
    );
}

/// What `client` must not see of the `private` listings: nothing through any read route.
async fn assert_closed(org: &Org, client: harness::Client<'_>, private: &[i64]) {
    for id in private {
        client.item(*id).await.assert_problem(404, "not_found");
        client.versions(*id).await.assert_problem(404, "not_found");
        client
            .install_plan(*id)
            .await
            .assert_problem(404, "not_found");
        client.install(*id).await.assert_problem(404, "not_found");
        client
            .reviews(*id, "")
            .await
            .assert_problem(404, "not_found");
    }
    let mut texts = Vec::new();
    for query in [
        "limit=100",
        "sort=newest&limit=100",
        "sort=name&limit=100",
        "sort=rating&limit=100",
        "sort=trending&limit=100",
        "sort=workspaces&limit=100",
        "sort=updated&limit=100",
        "featured=true",
        "category=Qzxv%20Internal",
        "type=agent",
        "type=llm",
        "search=Qzxv%20Zebra%20Agent",
        "search=Qzxv%20Zeb",
        "search=Zebra",
        "search=tooling",
        "search=Qz",
        "search=Q",
        "search=Qzxv%20Zebar%20Agnet",
    ] {
        let page = client.list_items(query).await;
        page.assert_status(200);
        texts.push(page.text);
    }
    // Through the cursors, a page at a time.
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("limit=1&cursor={cursor}"),
            None => "limit=1".to_owned(),
        };
        let page = client.list_items(&query).await;
        page.assert_status(200);
        texts.push(page.text.clone());
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    for response in [
        client.featured("").await,
        client.featured("trending=true").await,
        client.stats().await,
        client.categories().await,
        client.moderation_log("limit=100").await,
    ] {
        response.assert_status(200);
        texts.push(response.text);
    }
    for text in &texts {
        assert!(!text.contains(MARK), "a private listing leaked: {text}");
    }
    let log = client.moderation_log("limit=100").await;
    for entry in log.json["entries"].as_array().unwrap() {
        assert!(!private.contains(&entry["item"]["id"].as_i64().unwrap()));
    }
    let _ = org;
}

/// Every listing a caller reaches by following `query`'s cursors to the end, and the first page's total.
async fn walk(client: &harness::Client<'_>, query: &str) -> (BTreeSet<i64>, i64) {
    let mut seen = BTreeSet::new();
    let mut cursor: Option<String> = None;
    let mut total = None;
    loop {
        let page = match &cursor {
            Some(cursor) => client.list_items(&format!("{query}&cursor={cursor}")).await,
            None => client.list_items(query).await,
        };
        page.assert_status(200);
        total.get_or_insert(page.json["total"].as_i64().unwrap());
        seen.extend(ids(&page, "items"));
        match page.json["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (seen, total.unwrap_or_default()),
        }
    }
}

/// Property: for any mix of public listings and two catalogs' private ones (drawn from a seed), an outsider's
/// every read route shows exactly the public listings, and a member's listing exactly the public ones and
/// their own catalog's, in every order, through cursors, searches and totals.
#[tokio::test]
async fn for_any_mix_every_read_route_shows_each_caller_exactly_what_it_may_see() {
    for seed in [0x5eed_u64, 0xc0ffee] {
        let org = org().await;
        let app = &org.app;
        let rival = app.workspace_with_members("rival").await;
        let rival_catalog = app
            .as_user("rival-owner")
            .in_workspace(rival)
            .create_catalog("Rival Agents")
            .await
            .json["id"]
            .as_i64()
            .unwrap();
        let mut rng = harness::Rng(seed);
        let words = [
            "Alpha", "Report", "Writer", "Zebra", "Mail", "Sales", "Tone", "Data",
        ];
        let (mut public, mut corp, mut rivals) =
            (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
        for n in 0..16 {
            let kind = *rng.pick(&[ItemKind::Skill, ItemKind::Agent]);
            let name = format!("{} {} {n}", rng.pick(&words), rng.pick(&words));
            let owner = rng.below(3);
            let id = match owner {
                0 => {
                    let category = *rng.pick(&["Writing", "Sales"]);
                    let id = app.item(kind, &name).category(category).insert().await;
                    public.insert(id);
                    id
                }
                _ => {
                    let (workspace, prefix, catalog) = match owner {
                        1 => (org.corp, "corp", org.catalog),
                        _ => (rival, "rival", rival_catalog),
                    };
                    let category = *rng.pick(&["Writing", "Qzxv Only"]);
                    let source = app
                        .item(kind, &format!("{MARK} {name}"))
                        .set("description", format!("{} {MARK}", rng.pick(&words)))
                        .category(category)
                        .in_workspace(workspace)
                        .insert()
                        .await;
                    let submitted = app
                        .as_user(&format!("{prefix}-editor"))
                        .in_workspace(workspace)
                        .submit(&json!({"item_type": kind.as_str(), "item_id": source, "catalog_id": catalog}))
                        .await;
                    submitted.assert_status(201);
                    let id = submitted.json["item_id"].as_i64().unwrap();
                    app.as_user(&format!("{prefix}-owner"))
                        .approve(id, None)
                        .await
                        .assert_status(200);
                    if owner == 1 { &mut corp } else { &mut rivals }.insert(id);
                    id
                }
            };
            if rng.chance(30) {
                app.as_user("boss")
                    .feature(id, true)
                    .await
                    .assert_status(200);
            }
        }
        let outsider = org.outsider();
        let member = org.member();
        let mine: BTreeSet<i64> = public.union(&corp).copied().collect();
        for sort in [
            "popular",
            "newest",
            "name",
            "updated",
            "rating",
            "trending",
            "workspaces",
        ] {
            let query = format!("sort={sort}&limit=3");
            assert_eq!(
                walk(&outsider, &query).await,
                (public.clone(), public.len() as i64)
            );
            let (seen, total) = walk(&member, &query).await;
            assert_eq!(
                (seen, total),
                (mine.clone(), mine.len() as i64),
                "seed {seed} sort {sort}"
            );
        }
        for word in words {
            let (seen, _) = walk(&outsider, &format!("search={word}&limit=5")).await;
            assert!(seen.is_subset(&public), "seed {seed} search {word}");
            let (seen, _) = walk(&member, &format!("search={word}&limit=5")).await;
            assert!(seen.is_subset(&mine), "seed {seed} search {word}");
        }
        let (seen, _) = walk(&member, &format!("catalog={}&limit=4", org.catalog)).await;
        assert_eq!(seen, corp);
        member
            .list_items(&format!("catalog={rival_catalog}"))
            .await
            .assert_problem(404, "not_found");
        for (query, visible) in [("", &public), ("trending=true", &public)] {
            assert!(ids(&outsider.featured(query).await, "items").is_subset(visible));
            assert!(ids(&member.featured(query).await, "items").is_subset(&mine));
        }
        for id in corp.iter().chain(&rivals) {
            outsider.item(*id).await.assert_problem(404, "not_found");
            outsider
                .versions(*id)
                .await
                .assert_problem(404, "not_found");
        }
        for id in &rivals {
            member.item(*id).await.assert_problem(404, "not_found");
        }
        for response in [outsider.categories().await, outsider.stats().await] {
            response.assert_status(200);
            assert!(!response.text.contains(MARK), "{}", response.text);
        }
        let stats = outsider.stats().await.json;
        assert_eq!(stats["total_items"], public.len(), "seed {seed}");
    }
}
