//! Keyset cursors: every order walks every item exactly once, the last page says so, and a cursor is
//! refused with other filters, another sort, an offset or any alteration. The admin queue too.

use harness::*;
use serde_json::Value;

const ITEMS: &str = "/api/marketplace/items";
const QUEUE: &str = "/api/marketplace/admin/queue";

fn ids(response: &TestResponse, key: &str) -> Vec<i64> {
    response.json["items"]
        .as_array()
        .expect("an items array")
        .iter()
        .map(|item| item[key].as_i64().expect("an id"))
        .collect()
}

/// Every page of `path?query`, following `next_cursor` with `limit` rows a page.
async fn walk(app: &TestApp, user: &str, path: &str, query: &str, limit: usize) -> Vec<i64> {
    let key = if path == QUEUE { "item_id" } else { "id" };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let mut uri = format!("{path}?limit={limit}&{query}");
        if let Some(cursor) = &cursor {
            uri.push_str(&format!("&cursor={cursor}"));
        }
        let response = app.get(uri).as_user(user).send().await;
        response.assert_status(200);
        let page = ids(&response, key);
        seen.extend(&page);
        match &response.json["next_cursor"] {
            Value::String(next) => {
                assert_eq!(page.len(), limit, "only the last page is short");
                cursor = Some(next.clone());
            }
            Value::Null => return seen,
            other => panic!("next_cursor is {other}"),
        }
    }
    panic!("the walk never ended");
}

/// The whole listing in one page, as the order it must be walked in.
async fn all(app: &TestApp, query: &str) -> Vec<i64> {
    let response = app
        .get(format!("{ITEMS}?limit=100&{query}"))
        .as_user("reader")
        .send()
        .await;
    response.assert_status(200);
    assert_eq!(response.json["next_cursor"], Value::Null);
    ids(&response, "id")
}

/// Items of every kind with ties on every sort key: install counts, ages and names repeat across kinds.
async fn tied_catalog(app: &TestApp) -> usize {
    let mut made = 0;
    for i in 0..26 {
        let kind = ItemKind::ALL[i % 5];
        let name = if i % 3 == 0 {
            "Same name".to_owned()
        } else {
            format!("item {:02}", i % 7)
        };
        let mut item = app
            .item(kind, &name)
            .installs((i as i32 * 7) % 3)
            .age(((i * 13) % 3) as i64 * 60);
        if i % 4 == 0 {
            item = item.featured();
        }
        item.insert().await;
        made += 1;
    }
    made
}

#[tokio::test]
async fn every_order_walks_every_item_exactly_once() {
    let app = TestApp::new().await;
    app.user("reader").await;
    let made = tied_catalog(&app).await;
    let queries = [
        "sort=popular",
        "sort=newest",
        "sort=updated",
        "sort=name",
        "type=skill&sort=name",
        "sort=rating",
        "sort=trending",
        "sort=workspaces",
        "featured=true",
        "search=item",
        "search=item&sort=name",
        "search=same%20name",
        "search=it&sort=newest",
        "search=m",
    ];
    for query in queries {
        let expected = all(&app, query).await;
        assert!(!expected.is_empty(), "{query} lists something");
        for limit in [1, 3, 7] {
            let walked = walk(&app, "reader", ITEMS, query, limit).await;
            assert_eq!(walked, expected, "{query}, {limit} a page");
        }
    }
    assert_eq!(all(&app, "sort=popular").await.len(), made);
}

#[tokio::test]
async fn a_cursor_is_refused_with_an_offset_other_filters_another_sort_or_when_altered() {
    let app = TestApp::new().await;
    app.user("reader").await;
    tied_catalog(&app).await;
    let first = app
        .get(format!("{ITEMS}?limit=2&sort=name"))
        .as_user("reader")
        .send()
        .await;
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    assert!(cursor
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(&byte)));

    let mut altered = cursor.clone().into_bytes();
    altered[1] = if altered[1] == b'x' { b'y' } else { b'x' };
    let altered = String::from_utf8(altered).unwrap();
    for query in [
        format!("sort=name&offset=2&cursor={cursor}"),
        format!("sort=newest&cursor={cursor}"),
        format!("sort=name&type=agent&cursor={cursor}"),
        format!("sort=name&search=item&cursor={cursor}"),
        format!("sort=name&cursor={altered}"),
        "sort=name&cursor=not-a-cursor".to_owned(),
        "sort=name&cursor=".to_owned(),
    ] {
        let response = app
            .get(format!("{ITEMS}?limit=2&{query}"))
            .as_user("reader")
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), ["cursor"], "{query}");
    }
    for query in [
        format!("sort=name&offset=0&cursor={cursor}"),
        format!("sort=name&limit=9&cursor={cursor}"),
    ] {
        app.get(format!("{ITEMS}?{query}"))
            .as_user("reader")
            .send()
            .await
            .assert_status(200);
    }
}

#[tokio::test]
async fn an_exactly_full_last_page_has_no_next_cursor_and_offsets_still_page() {
    let app = TestApp::new().await;
    app.user("reader").await;
    let made = tied_catalog(&app).await;
    let response = app
        .get(format!("{ITEMS}?limit={made}"))
        .as_user("reader")
        .send()
        .await;
    assert_eq!(ids(&response, "id").len(), made);
    assert_eq!(response.json["next_cursor"], Value::Null);
    let response = app
        .get(format!("{ITEMS}?limit=5&offset=20"))
        .as_user("reader")
        .send()
        .await;
    assert_eq!(ids(&response, "id").len(), 5);
    let next = response.json["next_cursor"]
        .as_str()
        .expect("more after offset 20");
    let rest = app
        .get(format!("{ITEMS}?limit=5&cursor={next}"))
        .as_user("reader")
        .send()
        .await;
    assert_eq!(ids(&rest, "id"), all(&app, "").await[25..].to_vec());
}

#[tokio::test]
async fn the_review_queue_walks_by_cursor_too() {
    let app = TestApp::new().await;
    app.admin("boss").await;
    for i in 0..7 {
        let id = app
            .item(ItemKind::Agent, &format!("Waiting {i}"))
            .unapproved()
            .insert()
            .await;
        app.exec(&format!(
            "INSERT INTO item_versions (item_id, item_kind, version, status, submitted_at)
             VALUES ({id}, 'agent', '1.0.0', 'pending', now() - interval '{} minutes');
             INSERT INTO item_versions (item_id, item_kind, version, status, rejection_reason, submitted_at, reviewed_at)
             VALUES ({id}, 'agent', '0.9.0', 'rejected', 'No.', now() - interval '1 day', now() - interval '{} minutes')",
            i % 3,
            i % 2
        ))
        .await;
    }
    for status in ["pending", "rejected"] {
        let whole = app
            .get(format!("{QUEUE}?status={status}&limit=100"))
            .as_user("boss")
            .send()
            .await;
        whole.assert_status(200);
        let expected = ids(&whole, "item_id");
        assert_eq!(expected.len(), 7);
        for limit in [1, 2, 3] {
            let walked = walk(&app, "boss", QUEUE, &format!("status={status}"), limit).await;
            assert_eq!(walked, expected, "{status}, {limit} a page");
        }
    }
    let first = app
        .get(format!("{QUEUE}?status=pending&limit=2"))
        .as_user("boss")
        .send()
        .await;
    let cursor = first.json["next_cursor"].as_str().unwrap();
    for query in [
        format!("status=rejected&cursor={cursor}"),
        format!("offset=1&cursor={cursor}"),
    ] {
        let response = app
            .get(format!("{QUEUE}?{query}"))
            .as_user("boss")
            .send()
            .await;
        response.assert_problem(400, "bad_request");
        assert_eq!(response.error_fields(), ["cursor"], "{query}");
    }
}
