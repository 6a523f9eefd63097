"""The people of the demo organisation: engineers per team, product managers and the bots.

Rosters depend only on the team slugs (not on the seed), so logins, account ids and display names stay
the same from one generation to the next.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from .ids import hex_id, pagerduty_id, stable_int, uuid_for
from .organisation import TEAMS, base_team_slug

# Teams whose work tracker is Azure DevOps: their people's account id is their Azure DevOps identity id.
_AZURE_DEVOPS_TRACKED = frozenset(team.slug for team in TEAMS if team.work_tracker == "azure_devops")

FIRST_NAMES: tuple[str, ...] = (
    "Maya",
    "Liam",
    "Aisha",
    "Noah",
    "Chloé",
    "Mateo",
    "Priya",
    "Lucas",
    "Sofia",
    "Kenji",
    "Amara",
    "Jonas",
    "Elena",
    "Omar",
    "Hannah",
    "Ravi",
    "Zoë",
    "Diego",
    "Ingrid",
    "Tariq",
    "Mei",
    "Samuel",
    "Leila",
    "Tomás",
    "Freya",
    "Kwame",
    "Anika",
    "Felix",
    "Yara",
    "Ethan",
    "Nadia",
    "Hugo",
    "Sakura",
    "Daniel",
    "Fatima",
    "Oskar",
    "Lina",
    "Arjun",
    "Camille",
    "Viktor",
    "Grace",
    "Emeka",
    "Julia",
    "Rafael",
    "Sara",
    "Ibrahim",
    "Clara",
    "Wei",
    "Marta",
    "Kofi",
    "Alice",
    "Dmitri",
    "Nora",
    "Santiago",
    "Esther",
    "Jin",
    "Olivia",
    "Musa",
    "Helena",
    "Pavel",
    "Isla",
    "Andrés",
    "Ayumi",
    "Bastian",
)
LAST_NAMES: tuple[str, ...] = (
    "Kowalski",
    "Chen",
    "Okafor",
    "Müller",
    "Haddad",
    "Silva",
    "Nakamura",
    "Patel",
    "Johansson",
    "García",
    "Mensah",
    "Novak",
    "Rossi",
    "Kim",
    "Dubois",
    "Schmidt",
    "Ahmed",
    "Lindqvist",
    "Costa",
    "Ivanova",
    "Tanaka",
    "Oyelaran",
    "Fischer",
    "Moreau",
    "Sharma",
    "O'Brien",
    "Andersen",
    "Yilmaz",
    "Santos",
    "Kaur",
    "Bauer",
    "Lee",
    "Nguyen",
    "Popescu",
    "Hansen",
    "Mwangi",
    "Ferreira",
    "Weber",
    "Suzuki",
    "Romero",
    "Berg",
    "Adeyemi",
    "Kovacs",
    "Larsen",
    "Reyes",
    "Wójcik",
    "Hoffmann",
    "Zhang",
    "Eriksen",
    "Petrov",
    "Dimitriou",
    "Bianchi",
    "Osei",
    "Keller",
    "Morales",
    "Virtanen",
    "Lambert",
    "Hassan",
    "Sato",
    "Jensen",
    "Castro",
    "Horvat",
    "Abebe",
    "Walsh",
)


@dataclass(frozen=True, slots=True)
class Person:
    login: str
    name: str
    email: str
    github_id: int
    account_id: str  # the work tracker's account id: Jira Cloud accountId, or an Azure DevOps identity id
    pagerduty_id: str
    team: str
    utc_offset_min: int
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Roster:
    engineers: tuple[Person, ...]
    product_manager: Person


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded if ch.isalnum()).lower()


def _login_for(first: str, last: str, style: int) -> str:
    first_a, last_a = _ascii(first), _ascii(last)
    if style == 0:
        return f"{first_a}{last_a}"
    if style == 1:
        return f"{first_a[0]}{last_a}"
    if style == 2:
        return f"{first_a}-{last_a}"
    return f"{first_a}{last_a[0]}{10 + style * 7 % 89}"


class _Registry:
    """Hands out unique names and logins across the whole organisation."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.logins: set[str] = set()
        self.ordinal = 0

    def person(self, team: str, role: str, index: int, offset_min: int) -> Person:
        probe = stable_int("person", team, role, index)
        while True:
            first = FIRST_NAMES[probe % len(FIRST_NAMES)]
            last = LAST_NAMES[(probe // len(FIRST_NAMES)) % len(LAST_NAMES)]
            if f"{first} {last}" not in self.names:
                break
            probe += 7919
        name = f"{first} {last}"
        self.names.add(name)
        login = _login_for(first, last, probe % 4)
        suffix = 2
        while login in self.logins:
            login = f"{_login_for(first, last, probe % 4)}{suffix}"
            suffix += 1
        self.logins.add(login)
        self.ordinal += 1
        return Person(
            login=login,
            name=name,
            email=f"{_ascii(first)}.{_ascii(last)}@acme.example.com",
            github_id=41_000_000 + self.ordinal * 7_919 + probe % 5_000,
            account_id=(
                azure_devops_identity_id(login)
                if base_team_slug(team) in _AZURE_DEVOPS_TRACKED
                else hex_id(24, "jira-account", login)
            ),
            pagerduty_id=pagerduty_id("P", 7, "pd-user", login),
            team=team,
            utc_offset_min=offset_min,
        )


def azure_devops_identity_id(login: str) -> str:
    """The identity GUID Azure DevOps gives a member (`System.AssignedTo.id`, a reviewer's `id`)."""
    return uuid_for("ado-identity", login)


def build_rosters(teams: Iterable[tuple[str, int]]) -> dict[str, Roster]:
    """One roster per (team slug, UTC offset): 5 to 9 engineers and a product manager."""
    registry = _Registry()
    rosters: dict[str, Roster] = {}
    for slug, offset_min in teams:
        size = 5 + stable_int("team-size", slug) % 5
        engineers = tuple(registry.person(slug, "engineer", i, offset_min) for i in range(size))
        manager = registry.person(slug, "product", 0, offset_min)
        rosters[slug] = Roster(engineers=engineers, product_manager=manager)
    return rosters


def _bot(login: str, github_id: int, name: str, email: str) -> Person:
    return Person(
        login=login,
        name=name,
        email=email,
        github_id=github_id,
        account_id=hex_id(24, "jira-account", login),
        pagerduty_id=pagerduty_id("P", 7, "pd-user", login),
        team="",
        utc_offset_min=0,
        is_bot=True,
    )


DEPENDABOT = _bot(
    "dependabot[bot]", 49699333, "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"
)
RENOVATE = _bot("renovate[bot]", 29139614, "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
GITHUB_ACTIONS = _bot(
    "github-actions[bot]",
    41898282,
    "github-actions[bot]",
    "41898282+github-actions[bot]@users.noreply.github.com",
)
# The committer of merges and squashes made in the web interface.
WEB_FLOW = Person(
    login="web-flow",
    name="GitHub",
    email="noreply@github.com",
    github_id=19864447,
    account_id="",
    pagerduty_id="",
    team="",
    utc_offset_min=0,
)
