"""Case studies in five languages: which text search configuration reads each, and how a
query is parsed so that a word finds cases written in any of them.

PostgreSQL core has stemming configurations for english, german, french and swedish. Czech
has none, and the embedded server ships no contrib extension (no `unaccent`), so Czech text
is read with 'simple' (no stemming) after folding: lower-cased and stripped of diacritics by
core `translate()` (immutable, so the stored generated column can use it). A query is folded
the same way in Python, with the same two strings, so "obchodník" and "obchodnik" both find
"Obchodník".

A query is parsed with every configuration: a case matches when the query parsed in the
case's own language matches it (a German inflected word finds a German case through the
german stemmer, an English word an English case through the english one). The five parses
OR-ed into one tsquery make the condition the GIN index answers; the per-language test only
rechecks the rows it returns.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db.models import Case, Func, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext

# The language of a case -> the text search configuration of its vector.
SEARCH_CONFIGS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "sv": "swedish",
    "cs": "simple",  # folded first: see FOLD_FROM
}
FOLDED = {"cs"}
DEFAULT_LANGUAGE = "en"

# Lower-case letters with diacritics and the letter each folds to (Czech first, then those of
# names and loanwords met in Czech text).
FOLD_FROM = "áčďéěíňóřšťúůýžäàâãåçćèêëìîïľĺñńöòôõőŕśüùûűÿźż"
FOLD_TO = "acdeeinorstuuyzaaaaacceeeiiillnnooooorsuuuuyzz"
assert len(FOLD_FROM) == len(FOLD_TO)
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """What the database's folding does, in Python: lower case, no diacritics."""
    return text.lower().translate(_FOLD_TABLE)


def fold_sql(expression: object) -> Func:
    """SQL `translate(lower(x), FOLD_FROM, FOLD_TO)`: core PostgreSQL, immutable. A plain
    Func (not a subclass), so the migration holds the expression without importing this."""
    return Func(
        Lower(expression),
        Value(FOLD_FROM),
        Value(FOLD_TO),
        function="translate",
        output_field=TextField(),
    )


def _vector(config: str, folded: bool) -> SearchVector:
    def text(expression: object) -> object:
        return fold_sql(expression) if folded else expression

    tags = Coalesce("tags_text", Value(""))
    return (
        SearchVector(text("title"), weight="A", config=config)
        + SearchVector(text(tags), weight="B", config=config)
        + SearchVector(text("story"), text("outcome"), weight="C", config=config)
    )


def search_vector() -> Case:
    """The case's search vector, in its own language's configuration (the generated column)."""
    return Case(
        *[
            When(language=code, then=_vector(config, code in FOLDED))
            for code, config in SEARCH_CONFIGS.items()
            if code != DEFAULT_LANGUAGE
        ],
        default=_vector(SEARCH_CONFIGS[DEFAULT_LANGUAGE], False),
        output_field=SearchVectorField(),
    )


def _parsed(words: str, code: str) -> SearchQuery:
    typed = fold(words) if code in FOLDED else words
    return SearchQuery(typed, config=SEARCH_CONFIGS[code], search_type="websearch")


def search_filter(words: str) -> Q:
    """Cases whose words match the query parsed in the case's own language.

    The first condition (every parse OR-ed) is the one the GIN index answers; the second
    keeps, among its rows, those matched in their own language, so a German query word does
    not find a Swedish case through the Swedish stemmer (German "Kunde" and Swedish
    "kunderna" share the stem "kund")."""
    own_language = Q()
    for code in SEARCH_CONFIGS:
        own_language |= Q(language=code, search=_parsed(words, code))
    return Q(search=search_query(words)) & own_language


def search_query(words: str) -> SearchQuery:
    """The typed words parsed in every language's configuration, OR-ed: one tsquery."""
    query = None
    for code in SEARCH_CONFIGS:
        query = _parsed(words, code) if query is None else query | _parsed(words, code)
    return query


def tsquery_sql(words: str, *, headline: bool = False) -> tuple[str, list[str]]:
    """`search_query` as raw SQL with bound parameters, for the hand-written ranking SQL.

    For headlines the words are also parsed unfolded with 'simple': a Czech story is cut
    with 'simple' on its own (accented) text, where "obchodník" is marked only so."""
    parts, params = [], []
    for code, config in SEARCH_CONFIGS.items():
        parts.append(f"websearch_to_tsquery('{config}', %s)")
        params.append(fold(words) if code in FOLDED else words)
    if headline:
        parts.append("websearch_to_tsquery('simple', %s)")
        params.append(words)
    return "(" + " || ".join(parts) + ")", params


def headline_config_sql(column: str) -> str:
    """The configuration a case's headline is cut with, from its language column."""
    whens = " ".join(
        f"WHEN '{code}' THEN '{config}'::regconfig" for code, config in SEARCH_CONFIGS.items()
    )
    return f"(CASE {column} {whens} ELSE 'english'::regconfig END)"


def case_language(membership: object, chosen: str | None, case: object) -> str:
    """The language a case is saved in: the one chosen on the form; else, for a new case, its
    author's (their own choice, else their organisation's default); else the case's own."""
    if chosen:
        if chosen not in SEARCH_CONFIGS:
            raise ValidationError({"language": gettext("Choose one of the languages offered.")})
        return chosen
    if case.pk is None:
        return author_language(membership)
    return case.language


def author_language(membership: object) -> str:
    """The language a person writes in by default: theirs, else their organisation's."""
    from programme.i18n import language_of  # at call time: programme's models load first

    written = language_of(membership.user, membership.organisation)
    return written if written in SEARCH_CONFIGS else DEFAULT_LANGUAGE
