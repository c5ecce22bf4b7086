//! Reading the CSV files shops hand in (holiday lists, carriers' transit tables,
//! remote-island lists): a header naming the columns in any order and case, `#`
//! comment lines, fields trimmed. A row that is not valid CSV (a quote left open
//! across lines) is reported with its line and skipped; the caller checks the
//! fields of the others.

use crate::error::Issue;

/// The rows of a CSV text with the positions of the named columns.
pub(crate) struct CsvRows {
    /// For each name asked for (required, then optional), its column, if present.
    pub columns: Vec<Option<usize>>,
    /// Each row with its line number in the text.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

/// Reads `text` (called `name` in issue paths: `name:line`). A header without every
/// `required` column is one issue coded `code` and no rows.
pub(crate) fn read(
    text: &str,
    name: &str,
    code: &str,
    required: &[&str],
    optional: &[&str],
    issues: &mut Vec<Issue>,
) -> Option<CsvRows> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    // The header's line: the first that is neither blank nor a comment.
    let first_line = text
        .lines()
        .position(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map_or(1, |i| i as u64 + 1);
    let header_line = reader.headers().ok().map(|h| (h.clone(), first_line));
    let columns: Option<Vec<Option<usize>>> = header_line.as_ref().map(|(h, _)| {
        required
            .iter()
            .chain(optional)
            .map(|c| h.iter().position(|x| x.eq_ignore_ascii_case(c)))
            .collect()
    });
    let Some(columns) = columns.filter(|cols| cols[..required.len()].iter().all(Option::is_some))
    else {
        let line = header_line.map_or(1, |(_, l)| l);
        issues.push(Issue::new(
            code,
            format!("{name}:{line}"),
            format!("the header must name the columns {}", required.join(", ")),
        ));
        return None;
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            // A quote left open swallows the lines after it into one field: report
            // it rather than lose those rows silently.
            Ok(r) if r.iter().any(|f| f.contains(['\n', '\r'])) => issues.push(Issue::new(
                code,
                format!("{name}:{}", r.position().map_or(0, csv::Position::line)),
                "a quoted field is not closed on its line; the rows after it were read into it",
            )),
            Ok(r) => rows.push((r.position().map_or(0, csv::Position::line), r)),
            Err(e) => issues.push(Issue::new(
                code,
                format!("{name}:{}", e.position().map_or(0, csv::Position::line)),
                "the row is not valid CSV text",
            )),
        }
    }
    Some(CsvRows { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_found_after_comments_and_named_in_any_case() {
        let mut issues = Vec::new();
        let csv = read(
            "# note\nName,DATE\nx,2026-01-01\n",
            "h.csv",
            "X",
            &["date"],
            &["name", "other"],
            &mut issues,
        )
        .unwrap();
        assert_eq!(csv.columns, [Some(1), Some(0), None]);
        assert_eq!(csv.rows.len(), 1);
        assert_eq!(csv.rows[0].0, 3);
        assert!(issues.is_empty());
    }

    #[test]
    fn a_header_without_a_required_column_is_reported_at_its_line() {
        let mut issues = Vec::new();
        assert!(
            read(
                "# note\na,b\n1,2\n",
                "h.csv",
                "X_BAD_CSV",
                &["date", "name"],
                &[],
                &mut issues
            )
            .is_none()
        );
        assert_eq!(issues[0].code, "X_BAD_CSV");
        assert_eq!(issues[0].path, "h.csv:2");
        assert!(issues[0].message.contains("date, name"));
    }

    #[test]
    fn a_row_that_is_not_csv_is_reported_and_the_others_kept() {
        let mut issues = Vec::new();
        let csv = read("a,b\n1,2\n\"3,4\n5,6\n", "f", "X", &["a"], &[], &mut issues).unwrap();
        assert_eq!(csv.rows.len(), 1);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "f:3");
        assert!(issues[0].message.contains("not closed"));
    }
}
