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

from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connection
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


class ParsedQuery(SearchQuery):
    """A tsquery PostgreSQL parsed already (its text form), bound as `%s::tsquery`."""

    def as_sql(self, compiler: object, connection: object, **extra: object) -> tuple:
        sql, params = "%s::tsquery", [self.source_expressions[0].value]
        return (f"!!({sql})" if self.invert else sql), params


@dataclass(frozen=True)
class ParsedSearch:
    """The typed words parsed in every language's configuration, each distinct tsquery with
    the languages that parse the words so. Most words parse alike in several languages (or
    all five), so there are usually fewer tsqueries than languages."""

    queries: dict[str, tuple[str, ...]]  # tsquery text -> language codes
    unfolded: str  # the words parsed with 'simple' without folding: for Czech headlines
    # Every language the cases searched are written in parses the words alike: the index
    # condition alone is exact.
    uniform: bool

    def index_filter(self) -> Q:
        """The condition the GIN index answers: any parse matches."""
        return Q(search=_any(self.queries))

    def filter(self) -> Q:
        """Cases matched by the words parsed in their own language: a German query word does
        not find a Swedish case through the Swedish stemmer (German "Kunde" and Swedish
        "kunderna" share the stem "kund"). The index condition comes first; the
        per-language test only rechecks the rows the index returns, and is left out when
        every language parses the words alike."""
        if self.uniform:
            return self.index_filter()
        own_language = Q()
        for text, codes in self.queries.items():
            own_language |= Q(language__in=codes, search=ParsedQuery(text))
        return self.index_filter() & own_language

    def own_language_sql(self, alias: str) -> tuple[str, list[str]]:
        """`filter`'s per-language test as SQL over rows `alias` (with `language` and
        `search`), for the hand-written search SQL: applied to the newest candidates only, as
        rechecking every match of a common word would double the search's time (a second
        read of each tsvector: 500 ms more for 46,000 matches of "field instance")."""
        if self.uniform:
            return "TRUE", []
        parts, params = [], []
        for text, codes in self.queries.items():
            parts.append(f"({alias}.language = ANY(%s) AND {alias}.search @@ %s::tsquery)")
            params += [list(codes), text]
        return "(" + " OR ".join(parts) + ")", params

    def tsquery_sql(self, *, headline: bool = False) -> tuple[str, list[str]]:
        """Every parse OR-ed, as SQL with bound parameters, for hand-written ranking SQL. For
        headlines the unfolded parse is added: a Czech story is cut with 'simple' on its own
        (accented) text, where "obchodník" is marked only so."""
        texts = list(self.queries)
        if headline and self.unfolded and self.unfolded not in self.queries:
            texts.append(self.unfolded)
        return "(" + " || ".join(["%s::tsquery"] * len(texts)) + ")", texts


def _any(queries: dict[str, tuple[str, ...]]) -> SearchQuery:
    combined = None
    for text in queries:
        combined = ParsedQuery(text) if combined is None else combined | ParsedQuery(text)
    return combined


def search_parse(words: str, languages: Collection[str] | None = None) -> ParsedSearch:
    """Parse the words in the configuration of each language (one query): of `languages`
    when given (those the searched cases are written in, see `case_languages`), else of all
    five. No tsquery at all (only stop words, or punctuation) gives an empty `queries`:
    nothing to search for."""
    codes = [code for code in SEARCH_CONFIGS if languages is None or code in languages]
    codes = codes or [DEFAULT_LANGUAGE]
    columns = [f"websearch_to_tsquery('{SEARCH_CONFIGS[code]}', %s)::text" for code in codes]
    params = [fold(words) if code in FOLDED else words for code in codes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)}, websearch_to_tsquery('simple', %s)::text",
            [*params, words],
        )
        *parsed, unfolded = cursor.fetchone()
    queries: dict[str, tuple[str, ...]] = {}
    for code, text in zip(codes, parsed, strict=True):
        if text:
            queries[text] = (*queries.get(text, ()), code)
    uniform = len(queries) == 1 and len(next(iter(queries.values()))) == len(codes)
    return ParsedSearch(queries, unfolded, uniform)


# Which languages an organisation's cases are written in, for `search_parse`: most write in
# one or two, and parsing in the others would only lengthen every query (a word stemmed
# differently in a language nobody writes in adds a branch to the index scan and a recheck).
_LANGUAGES_KEY = "showcase:case-languages:{}"


def case_languages(organisation_id: int) -> frozenset[str]:
    """The languages of the organisation's cases (cached; `case_languages_forget` when a case
    is saved)."""
    from django.core.cache import cache

    from showcase.models import CaseStudy

    key = _LANGUAGES_KEY.format(organisation_id)
    found = cache.get(key)
    if found is None:
        found = sorted(
            CaseStudy.objects.filter(organisation_id=organisation_id)
            .order_by()
            .values_list("language", flat=True)
            .distinct()
        )
        cache.set(key, found, 600)
    return frozenset(found)


def case_languages_forget(organisation_id: int) -> None:
    from django.core.cache import cache

    cache.delete(_LANGUAGES_KEY.format(organisation_id))


def search_query(words: str) -> SearchQuery:
    """The words parsed in every configuration, OR-ed (the index condition), as a query
    expression: for `filter(search=...)` where a queryset needs one."""
    return _any(search_parse(words).queries)


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
