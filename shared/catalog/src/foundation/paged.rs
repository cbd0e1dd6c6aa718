//! The shape every paged statement ends in.

/// The final SELECT of a paged statement over CTEs `total` (one row: `total` and any other columns) and
/// `page`: every row of the page carrying the total, or one row with only the total when the page is empty.
/// `joins` and `columns` add to each page row; `order` orders them.
pub(crate) fn total_and_page(page: &str, joins: &str, columns: &str, order: &str) -> String {
    let columns = if columns.is_empty() {
        String::new()
    } else {
        format!(", {columns}")
    };
    format!(
        "SELECT total.*, {page}.*{columns}
         FROM total
         LEFT JOIN {page} ON true
         {joins}
         ORDER BY {order}"
    )
}
