//! Contact search: the condition that narrows contacts to those matching a search term, by a
//! substring of the name or of the phone digits, an exact e-mail or an id.
//!
//! Phone digits of six or more are looked up by their last six in `contact_phone_grams`
//! (every six-digit run of every contact's number, kept by triggers), and the whole term is
//! then checked on those few contacts: a number shares its country and area code with most
//! contacts, so its trigrams alone would read nearly all of them.
//!
//! Other terms of three characters or more go through trigram indexes on `contacts_search`,
//! kept apart from `contacts` so that the update every message makes to its contact does not
//! rewrite them: on SQLite an FTS5 table (its candidates then checked with LIKE), on
//! PostgreSQL a table with pg_trgm indexes that serve the LIKEs. All alternatives form one list
//! of ids (`id IN (…)`, on PostgreSQL `id = ANY(ARRAY(…))`), each found through its own index;
//! the database would otherwise walk the contacts in id order and test each against the OR.
//! Shorter terms match many contacts: they are tested row by row in id order, where a page
//! fills quickly.

use diesel::expression::{
    is_aggregate, AppearsOnTable, Expression, SelectableExpression, ValidGrouping,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};

use crate::contacts::ListFilter;
use crate::db::MultiBackend;
use crate::schema::contacts;

/// What a search condition is.
pub(crate) type Condition =
    Box<dyn BoxableExpression<contacts::table, MultiBackend, SqlType = Bool>>;

/// Trigram indexes only help with at least three characters.
const TRIGRAM: usize = 3;
/// The length of the digit runs in `contact_phone_grams`.
const GRAM: usize = 6;

/// The condition for the filter's search terms (alternatives); None when it has none.
pub(crate) fn condition(filter: &ListFilter, workspace_id: i64, sqlite: bool) -> Option<Condition> {
    let texts = [&filter.name_like, &filter.phone_digits];
    if texts.iter().all(|t| t.is_none()) && filter.email.is_none() && filter.id.is_none() {
        return None;
    }
    let indexed = texts
        .iter()
        .all(|t| t.as_ref().is_none_or(|t| t.chars().count() >= TRIGRAM));
    if indexed {
        let mut trigram = vec![];
        let mut gram = None;
        if let Some(t) = &filter.name_like {
            trigram.push(TrigramArm::of(sqlite, "search_name", t));
        }
        if let Some(t) = &filter.phone_digits {
            match PhoneGram::of(sqlite, workspace_id, t) {
                Some(g) => gram = Some(g),
                None => trigram.push(TrigramArm::of(sqlite, "phone_digits", t)),
            }
        }
        return Some(Box::new(MatchingIds {
            sqlite,
            workspace_id,
            trigram,
            gram,
            email: filter.email.clone(),
            id: filter.id,
        }));
    }
    // Start from an always-false condition and OR each term onto it.
    let mut any: Condition = Box::new(contacts::id.eq(-1));
    if let Some(name) = &filter.name_like {
        any = Box::new(any.or(contacts::search_name.like(like_pattern(name)).escape('\\')));
    }
    if let Some(d) = &filter.phone_digits {
        any = match PhoneGram::of(sqlite, workspace_id, d) {
            Some(g) => Box::new(any.or(g)),
            None => Box::new(
                any.or(contacts::phone_digits
                    .like(like_pattern(d))
                    .escape('\\')
                    .assume_not_null()),
            ),
        };
    }
    if let Some(e) = &filter.email {
        any = Box::new(any.or(contacts::email.eq(e.clone()).assume_not_null()));
    }
    if let Some(id) = filter.id {
        any = Box::new(any.or(contacts::id.eq(id)));
    }
    Some(Box::new(PlannedEachTime(any)))
}

/// A condition PostgreSQL plans for its values each time. A prepared statement's generic plan
/// cannot see the pattern, so it cannot use the trigram indexes and guesses that walking the
/// contacts in id order fills a page soon, which for a rare name or a phone number means
/// reading the whole workspace.
struct PlannedEachTime(Condition);

impl Expression for PlannedEachTime {
    type SqlType = Bool;
}

impl AppearsOnTable<contacts::table> for PlannedEachTime {}
impl SelectableExpression<contacts::table> for PlannedEachTime {}

impl ValidGrouping<()> for PlannedEachTime {
    type IsAggregate = is_aggregate::No;
}

impl QueryId for PlannedEachTime {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for PlannedEachTime {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out.reborrow())
    }
}

/// `%text%` with LIKE's wildcards escaped by a backslash.
fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The FTS5 query for `text` (at least [`TRIGRAM`] characters) within `column` of
/// `contacts_search`: every one of a run of trigrams that covers `text` without overlap (the
/// last may overlap the one before), e.g. `search_name : ("nad" AND "ia " AND "yoo")`. It
/// finds a superset of the names holding `text`, which the LIKE beside it narrows; the phrase
/// of all its overlapping trigrams would find them exactly, but walks twice the trigrams'
/// lists and their positions besides.
fn trigrams_of(column: &str, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut starts: Vec<usize> = (0..=chars.len() - TRIGRAM).step_by(TRIGRAM).collect();
    if starts.last() != Some(&(chars.len() - TRIGRAM)) {
        starts.push(chars.len() - TRIGRAM);
    }
    let grams: Vec<String> = starts
        .into_iter()
        .map(|i| {
            let gram: String = chars[i..i + TRIGRAM].iter().collect();
            format!("\"{}\"", gram.replace('"', "\"\""))
        })
        .collect();
    format!("{column} : ({})", grams.join(" AND "))
}

/// `contacts.id IN (…)` (on PostgreSQL `contacts.id = ANY(ARRAY(…))`, computed once and read
/// through the primary key): the union of the contacts each search alternative finds, each
/// through its own index. Either database would otherwise walk the contacts in id order and
/// test each against the OR.
#[derive(Debug, Clone)]
struct MatchingIds {
    sqlite: bool,
    workspace_id: i64,
    trigram: Vec<TrigramArm>,
    gram: Option<PhoneGram>,
    email: Option<String>,
    id: Option<i64>,
}

/// A term found through the trigram index on a column of `contacts_search`: SQLite's FTS5
/// table, PostgreSQL's table with pg_trgm indexes; on both the LIKE decides.
#[derive(Debug, Clone)]
struct TrigramArm {
    column: &'static str,
    /// The FTS5 query on SQLite (see [`trigrams_of`]); unused on PostgreSQL.
    fts: String,
    /// The LIKE pattern that decides.
    pattern: String,
}

impl TrigramArm {
    /// `text` has at least [`TRIGRAM`] characters.
    fn of(sqlite: bool, column: &'static str, text: &str) -> Self {
        TrigramArm {
            column,
            fts: if sqlite {
                trigrams_of(column, text)
            } else {
                String::new()
            },
            pattern: like_pattern(text),
        }
    }
}

impl Expression for MatchingIds {
    type SqlType = Bool;
}

impl AppearsOnTable<contacts::table> for MatchingIds {}
impl SelectableExpression<contacts::table> for MatchingIds {}

impl ValidGrouping<()> for MatchingIds {
    type IsAggregate = is_aggregate::No;
}

impl QueryId for MatchingIds {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl QueryFragment<MultiBackend> for MatchingIds {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let (open, close) = if self.sqlite {
            ("\"contacts\".\"id\" IN (", ")")
        } else {
            // PostgreSQL plans it for the terms each time (see `PlannedEachTime`).
            out.unsafe_to_cache_prepared();
            ("\"contacts\".\"id\" = ANY(ARRAY(", "))")
        };
        out.push_sql(open);
        let mut arms = 0;
        let mut union = |out: &mut AstPass<'_, 'b, MultiBackend>| {
            if arms > 0 {
                out.push_sql(" UNION ALL ");
            }
            arms += 1;
        };
        for arm in &self.trigram {
            union(&mut out);
            if self.sqlite {
                out.push_sql(
                    "SELECT contacts_search.rowid FROM contacts_search \
                     JOIN contacts c ON c.id = contacts_search.rowid \
                     WHERE contacts_search MATCH ",
                );
                out.push_bind_param::<Text, _>(&arm.fts)?;
                out.push_sql(&format!(" AND c.{} LIKE ", arm.column));
            } else {
                out.push_sql("SELECT contact_id FROM contacts_search WHERE workspace_id = ");
                out.push_bind_param::<BigInt, _>(&self.workspace_id)?;
                out.push_sql(&format!(" AND {} LIKE ", arm.column));
            }
            out.push_bind_param::<Text, _>(&arm.pattern)?;
            out.push_sql(" ESCAPE '\\'");
        }
        if let Some(g) = &self.gram {
            union(&mut out);
            g.matching_ids(&mut out)?;
        }
        if let Some(email) = &self.email {
            union(&mut out);
            out.push_sql("SELECT id FROM contacts WHERE workspace_id = ");
            out.push_bind_param::<BigInt, _>(&self.workspace_id)?;
            out.push_sql(" AND email = ");
            out.push_bind_param::<Text, _>(email)?;
        }
        if let Some(id) = &self.id {
            union(&mut out);
            out.push_sql("SELECT ");
            out.push_bind_param::<BigInt, _>(id)?;
        }
        out.push_sql(close);
        Ok(())
    }
}

/// Contacts whose phone digits contain a term of [`GRAM`] digits or more: those holding the
/// term's last six digits as a run, checked for the whole term.
#[derive(Debug, Clone)]
struct PhoneGram {
    sqlite: bool,
    workspace_id: i64,
    gram: String,
    pattern: String,
}

impl PhoneGram {
    fn of(sqlite: bool, workspace_id: i64, digits: &str) -> Option<Self> {
        let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
        (all_digits && digits.len() >= GRAM).then(|| PhoneGram {
            sqlite,
            workspace_id,
            gram: digits[digits.len() - GRAM..].to_string(),
            pattern: like_pattern(digits),
        })
    }

    /// `SELECT` of the matching contacts' ids.
    fn matching_ids<'b>(&'b self, out: &mut AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql(
            "SELECT g.contact_id FROM contact_phone_grams g \
             JOIN contacts c ON c.id = g.contact_id WHERE g.workspace_id = ",
        );
        out.push_bind_param::<BigInt, _>(&self.workspace_id)?;
        out.push_sql(" AND g.gram = ");
        out.push_bind_param::<Text, _>(&self.gram)?;
        out.push_sql(" AND c.phone_digits LIKE ");
        out.push_bind_param::<Text, _>(&self.pattern)?;
        out.push_sql(" ESCAPE '\\'");
        Ok(())
    }
}

impl Expression for PhoneGram {
    type SqlType = Bool;
}

impl AppearsOnTable<contacts::table> for PhoneGram {}
impl SelectableExpression<contacts::table> for PhoneGram {}

impl ValidGrouping<()> for PhoneGram {
    type IsAggregate = is_aggregate::No;
}

impl QueryId for PhoneGram {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// An arm of the search's OR. On PostgreSQL `id = ANY(ARRAY(…))`, computed once and read
/// through the primary key (a bitmap OR'ed with the other arms), where `id IN (…)` inside an
/// OR would be tested row by row. (Indexed searches take it inside [`MatchingIds`] instead;
/// this form serves a filter whose other terms are too short for the trigram indexes.)
impl QueryFragment<MultiBackend> for PhoneGram {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let (open, close) = if self.sqlite {
            ("\"contacts\".\"id\" IN (", ")")
        } else {
            ("\"contacts\".\"id\" = ANY(ARRAY(", "))")
        };
        out.push_sql(open);
        self.matching_ids(&mut out)?;
        out.push_sql(close);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::trigrams_of;

    #[test]
    fn trigrams_cover_the_term_without_overlap_but_at_the_end() {
        assert_eq!(trigrams_of("n", "kim"), r#"n : ("kim")"#);
        assert_eq!(trigrams_of("n", "minjun"), r#"n : ("min" AND "jun")"#);
        assert_eq!(
            trigrams_of("n", "nadia yoo"),
            r#"n : ("nad" AND "ia " AND "yoo")"#
        );
        assert_eq!(trigrams_of("n", "nadia"), r#"n : ("nad" AND "dia")"#);
    }

    #[test]
    fn trigrams_count_characters_and_quote_quotes() {
        assert_eq!(trigrams_of("n", "çağrı"), r#"n : ("çağ" AND "ğrı")"#);
        assert_eq!(trigrams_of("n", r#"a"b"#), r#"n : ("a""b")"#);
    }
}
