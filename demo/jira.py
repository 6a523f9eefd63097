"""Jira Cloud response bodies: issues as `GET /rest/api/3/search/jql` (or the Agile board endpoint) returns
them with `fields=*navigable&expand=changelog`, and `GET /rest/api/3/issue/{key}/changelog` pages."""

from __future__ import annotations

import calendar as stdlib_calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .ids import hex_id
from .model import Change, History, TeamSpec, WorkItem
from .organisation import JIRA_ISSUE_TYPES, JIRA_STATUSES, RENAMED_STATUS_ID, RENAMED_STATUS_OLD_NAME
from .people import Person
from .timeline import DAY, HOUR, STATUS_RENAME_AT, YEAR_END, jira_time, sprint_time
from .work import RESOLUTION_OF, SPRINT_LENGTH, SPRINT_ZERO

SITE = "https://acme.atlassian.net"
INLINE_HISTORY_LIMIT = 40
CHANGELOG_PAGE_SIZE = 100
EXPAND = "operations,versionedRepresentations,editmeta,changelog,renderedFields"

STATUS_BY_ID = {status.status_id: status for status in JIRA_STATUSES}
CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
ISSUE_TYPE_IDS = {
    "Epic": "10000",
    "Story": "10001",
    "Task": "10002",
    "Sub-task": "10003",
    "Bug": "10004",
    "Tech Debt": "10005",
    "Risk": "10006",
}
ISSUE_TYPE_DESCRIPTIONS = {
    "Epic": "A big user story that needs to be broken down.",
    "Story": "Functionality or a feature expressed as a user goal.",
    "Task": "A small, distinct piece of work.",
    "Sub-task": "A small piece of work that's part of a larger task.",
    "Bug": "A problem or error.",
    "Tech Debt": "Work that pays back technical debt.",
    "Risk": "Something that may stop us delivering.",
}
PRIORITY_IDS = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
RESOLUTIONS = {
    "Done": ("10000", "Work has been completed on this issue."),
    "Won't Do": ("10001", "This issue won't be actioned."),
}
NULL_CUSTOM_FIELDS = (
    "customfield_10001",
    "customfield_10002",
    "customfield_10003",
    "customfield_10004",
    "customfield_10005",
    "customfield_10006",
    "customfield_10007",
    "customfield_10008",
    "customfield_10009",
    "customfield_10010",
    "customfield_10017",
    "customfield_10021",
    "customfield_10022",
    "customfield_10023",
    "customfield_10024",
    "customfield_10027",
    "customfield_10028",
)


def status_name(status_id: str, at: float) -> str:
    if status_id == RENAMED_STATUS_ID and at < STATUS_RENAME_AT:
        return RENAMED_STATUS_OLD_NAME
    return STATUS_BY_ID[status_id].name


def release_date(project: str, name: str) -> str:
    """Monthly releases ship on the last working day of their month."""
    year, month = (int(part) for part in name[len(project) + 1 :].split("."))
    day = stdlib_calendar.monthrange(year, month)[1]
    while stdlib_calendar.weekday(year, month, day) >= 5:
        day -= 1
    return f"{year}-{month:02d}-{day:02d}"


def adf(text: str) -> dict:
    """Atlassian Document Format, as API v3 returns descriptions and comments."""
    return {
        "type": "doc",
        "version": 1,
        "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]}
            for line in text.split("\n")
            if line
        ],
    }


@dataclass
class ItemState:
    status: str
    assignee: Person | None
    priority: str
    labels: tuple[str, ...]
    sprints: tuple[int, ...]
    fix_versions: list[str]
    resolution: str | None
    resolved_at: float | None
    category_changed_at: float
    updated: float
    histories: list[History] = field(default_factory=list)


def replay(item: WorkItem, as_of: float) -> ItemState:
    """The item as it stood at `as_of`, from its creation values and histories."""
    initial_resolution = RESOLUTION_OF.get(item.initial_status)
    state = ItemState(
        status=item.initial_status,
        assignee=item.initial_assignee,
        priority=item.priority,
        labels=item.labels,
        sprints=(),
        fix_versions=[],
        resolution=initial_resolution,
        resolved_at=item.created if initial_resolution else None,
        category_changed_at=item.created,
        updated=item.created,
    )
    for history in item.histories:
        if history.at > as_of:
            break
        state.histories.append(history)
        state.updated = history.at
        for change in history.changes:
            _apply(state, change, history.at)
    for at, _, _ in item.comments:
        if at <= as_of:
            state.updated = max(state.updated, at)
    return state


def _apply(state: ItemState, change: Change, at: float) -> None:
    if change.field == "status":
        old_category = STATUS_BY_ID[state.status].category_key
        state.status = change.new
        if STATUS_BY_ID[state.status].category_key != old_category:
            state.category_changed_at = at
    elif change.field == "assignee":
        state.assignee = change.new
    elif change.field == "priority":
        state.priority = change.new
    elif change.field == "labels":
        state.labels = change.new
    elif change.field == "Sprint":
        state.sprints = change.new
    elif change.field == "Fix Version":
        state.fix_versions.append(change.new)
    elif change.field == "resolution":
        state.resolution = change.new
        state.resolved_at = at if change.new else None


class JiraRenderer:
    """Renders one project's issues. The Agile board endpoint answers in the v2 style (text descriptions)."""

    def __init__(self, spec: TeamSpec) -> None:
        self.spec = spec
        self.project = spec.team.jira_project
        self.offset = spec.jira_offset_min
        self.agile = spec.board_id is not None
        self.board_id = spec.board_id or 100 + spec.ordinal
        self.api = "2" if self.agile else "3"
        self.project_id = str(10_000 + spec.ordinal)
        self._users: dict[str, dict] = {}
        self._statuses: dict[tuple[str, bool], dict] = {}
        self._types: dict[str, dict] = {}
        avatars = f"{SITE}/rest/api/{self.api}/universal_avatar/view/type"
        self._project_object = {
            "self": f"{SITE}/rest/api/{self.api}/project/{self.project_id}",
            "id": self.project_id,
            "key": self.project,
            "name": spec.team.name,
            "projectTypeKey": "software",
            "simplified": False,
            "avatarUrls": {
                size: f"{avatars}/project/avatar/{10_400 + spec.ordinal % 90}{suffix}"
                for size, suffix in (
                    ("48x48", ""),
                    ("24x24", "?size=small"),
                    ("16x16", "?size=xsmall"),
                    ("32x32", "?size=medium"),
                )
            },
        }

    def time(self, t: float) -> str:
        return jira_time(t, self.offset)

    def user(self, person: Person | None) -> dict | None:
        if person is None:
            return None
        cached = self._users.get(person.login)
        if cached is None:
            initials = "".join(part[0] for part in person.name.split()[:2]).upper()
            avatar = (
                f"https://secure.gravatar.com/avatar/{hex_id(32, 'avatar', person.login)}?d=https%3A%2F%2F"
                f"avatar-management--avatars.us-west-2.prod.public.atl-paas.net%2Finitials%2F{initials}-4.png"
            )
            cached = {
                "self": f"{SITE}/rest/api/{self.api}/user?accountId={person.account_id}",
                "accountId": person.account_id,
                "avatarUrls": {size: avatar for size in ("48x48", "24x24", "16x16", "32x32")},
                "displayName": person.name,
                "active": True,
                "timeZone": _time_zone_name(person.utc_offset_min),
                "accountType": "atlassian",
            }
            self._users[person.login] = cached
        return cached

    def status(self, status_id: str, at: float) -> dict:
        renamed = status_id == RENAMED_STATUS_ID and at < STATUS_RENAME_AT
        cached = self._statuses.get((status_id, renamed))
        if cached is None:
            category = CATEGORIES[STATUS_BY_ID[status_id].category_key]
            cached = {
                "self": f"{SITE}/rest/api/{self.api}/status/{status_id}",
                "description": "",
                "iconUrl": f"{SITE}/",
                "name": status_name(status_id, at),
                "id": status_id,
                "statusCategory": {
                    "self": f"{SITE}/rest/api/{self.api}/statuscategory/{category['id']}",
                    **category,
                },
            }
            self._statuses[(status_id, renamed)] = cached
        return cached

    def issue_type(self, name: str) -> dict:
        cached = self._types.get(name)
        if cached is None:
            level, subtask = next((lvl, sub) for n, lvl, sub in JIRA_ISSUE_TYPES if n == name)
            type_id = ISSUE_TYPE_IDS[name]
            avatar_id = 10300 + int(type_id) % 100
            cached = {
                "self": f"{SITE}/rest/api/{self.api}/issuetype/{type_id}",
                "id": type_id,
                "description": ISSUE_TYPE_DESCRIPTIONS[name],
                "iconUrl": f"{SITE}/rest/api/2/universal_avatar/view/type/issuetype/avatar/{avatar_id}"
                "?size=medium",
                "name": name,
                "subtask": subtask,
                "avatarId": avatar_id,
                "hierarchyLevel": level,
            }
            self._types[name] = cached
        return cached

    def priority(self, name: str) -> dict:
        pid = PRIORITY_IDS[name]
        return {
            "self": f"{SITE}/rest/api/{self.api}/priority/{pid}",
            "iconUrl": f"{SITE}/images/icons/priorities/{name.lower()}.svg",
            "name": name,
            "id": pid,
        }

    def version(self, name: str, as_of: float) -> dict:
        month_index = int(name[-2:]) + (12 if name[-7:-3] == "2026" else 0)
        vid = str(10_100 + self.spec.ordinal * 100 + month_index)
        released_on = release_date(self.project, name)
        released = datetime.fromisoformat(released_on).replace(tzinfo=UTC).timestamp() + DAY <= as_of
        return {
            "self": f"{SITE}/rest/api/{self.api}/version/{vid}",
            "id": vid,
            "description": f"{self.spec.team.name} monthly release",
            "name": name,
            "archived": False,
            "released": released,
            "releaseDate": released_on,
        }

    def sprint(self, number: int, as_of: float) -> dict:
        start = SPRINT_ZERO + (number - 1) * SPRINT_LENGTH + 9 * HOUR
        end = min(start + SPRINT_LENGTH - 2 * DAY, YEAR_END)  # the last sprint closes with the year
        state = "closed" if end <= as_of else ("active" if start <= as_of else "future")
        body = {
            "id": self.spec.ordinal * 100 + number,
            "name": f"{self.project} Sprint {number}",
            "state": state,
            "boardId": self.board_id,
            "goal": "",
            "startDate": sprint_time(start),
            "endDate": sprint_time(end),
        }
        if state == "closed":
            body["completeDate"] = sprint_time(end + 2 * HOUR)
        return body

    # -- changelog
    def change_item(self, change: Change, at: float) -> dict:
        name = change.field
        if name == "status":
            return {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": change.old,
                "fromString": status_name(change.old, at),
                "to": change.new,
                "toString": status_name(change.new, at),
            }
        if name == "assignee":
            old, new = change.old, change.new
            return {
                "field": "assignee",
                "fieldtype": "jira",
                "fieldId": "assignee",
                "from": old.account_id if old else None,
                "fromString": old.name if old else None,
                "to": new.account_id if new else None,
                "toString": new.name if new else None,
                "tmpFromAccountId": old.account_id if old else None,
                "tmpToAccountId": new.account_id if new else None,
            }
        if name == "resolution":
            return {
                "field": "resolution",
                "fieldtype": "jira",
                "fieldId": "resolution",
                "from": RESOLUTIONS[change.old][0] if change.old else None,
                "fromString": change.old,
                "to": RESOLUTIONS[change.new][0] if change.new else None,
                "toString": change.new,
            }
        if name == "priority":
            return {
                "field": "priority",
                "fieldtype": "jira",
                "fieldId": "priority",
                "from": PRIORITY_IDS[change.old],
                "fromString": change.old,
                "to": PRIORITY_IDS[change.new],
                "toString": change.new,
            }
        if name == "labels":
            return {
                "field": "labels",
                "fieldtype": "jira",
                "fieldId": "labels",
                "from": None,
                "fromString": " ".join(change.old),
                "to": None,
                "toString": " ".join(change.new),
            }
        if name == "Sprint":
            return {
                "field": "Sprint",
                "fieldtype": "custom",
                "fieldId": "customfield_10020",
                "from": ", ".join(str(self.spec.ordinal * 100 + n) for n in change.old),
                "fromString": ", ".join(f"{self.project} Sprint {n}" for n in change.old),
                "to": ", ".join(str(self.spec.ordinal * 100 + n) for n in change.new),
                "toString": ", ".join(f"{self.project} Sprint {n}" for n in change.new),
            }
        if name == "Rank":
            return {
                "field": "Rank",
                "fieldtype": "custom",
                "fieldId": "customfield_10019",
                "from": "",
                "fromString": "",
                "to": "",
                "toString": change.new,
            }
        version = self.version(change.new, YEAR_END)
        return {
            "field": "Fix Version",
            "fieldtype": "jira",
            "fieldId": "fixVersions",
            "from": None,
            "fromString": None,
            "to": version["id"],
            "toString": change.new,
        }

    def history(self, history: History) -> dict:
        return {
            "id": str(history.history_id),
            "author": self.user(history.author),
            "created": self.time(history.at),
            "items": [self.change_item(change, history.at) for change in history.changes],
        }

    # -- issues
    def issue_self(self, item: WorkItem) -> str:
        if self.agile:
            return f"{SITE}/rest/agile/1.0/issue/{item.issue_id}"
        return f"{SITE}/rest/api/3/issue/{item.issue_id}"

    def reference(self, item: WorkItem, as_of: float) -> dict:
        """The short form of an issue used in `parent` and `subtasks`."""
        state = replay(item, as_of)
        return {
            "id": str(item.issue_id),
            "key": item.key,
            "self": f"{SITE}/rest/api/{self.api}/issue/{item.issue_id}",
            "fields": {
                "summary": item.summary,
                "status": self.status(state.status, as_of),
                "priority": self.priority(state.priority),
                "issuetype": self.issue_type(item.issue_type),
            },
        }

    def text(self, text: str) -> object:
        return text if self.agile else adf(text)

    def issue(self, item: WorkItem, as_of: float = YEAR_END) -> dict:
        state = replay(item, as_of)
        histories = state.histories
        created = self.time(item.created)
        comments = [(at, who, body) for at, who, body in item.comments if at <= as_of]
        first_progress = next(
            (h.at for h in histories for c in h.changes if c.field == "status" and c.new == "3"), None
        )
        fields: dict[str, object] = {
            "statuscategorychangedate": self.time(state.category_changed_at),
            "issuetype": self.issue_type(item.issue_type),
            "timespent": None,
            "project": self._project_object,
            "fixVersions": [self.version(name, as_of) for name in state.fix_versions],
            "aggregatetimespent": None,
            "resolution": _resolution(state.resolution, self.api),
            "resolutiondate": self.time(state.resolved_at) if state.resolved_at else None,
            "workratio": -1,
            "watches": {
                "self": f"{SITE}/rest/api/{self.api}/issue/{item.key}/watchers",
                "watchCount": 1 + item.seq % 3,
                "isWatching": False,
            },
            "lastViewed": self.time(min(state.updated + 3 * HOUR, as_of)) if item.seq % 4 == 0 else None,
            "issuerestriction": {"issuerestrictions": {}, "shouldDisplay": not self.agile},
            "created": created,
            "customfield_10020": [self.sprint(n, as_of) for n in state.sprints] or None,
            "customfield_10000": "{}",
            "priority": self.priority(state.priority),
            "labels": list(state.labels),
            "customfield_10016": item.story_points,
            "customfield_10019": f"0|i{item.issue_id % 100000:05x}:",
            "timeestimate": None,
            "aggregatetimeoriginalestimate": None,
            "versions": [],
            "issuelinks": [],
            "assignee": self.user(state.assignee),
            "updated": self.time(state.updated),
            "status": self.status(state.status, as_of),
            "components": [
                {
                    "self": f"{SITE}/rest/api/{self.api}/component/{10_500 + self.spec.ordinal * 10 + i}",
                    "id": str(10_500 + self.spec.ordinal * 10 + i),
                    "name": name,
                }
                for i, name in enumerate(item.components)
            ],
            "timeoriginalestimate": None,
            "description": self.text(f"{item.summary}.\n\nAcceptance criteria agreed with the team.")
            if item.seq % 5
            else None,
            "customfield_10014": item.epic.key
            if item.epic is not None and self.spec.uses_epic_link
            else None,
            "customfield_10015": self.time(first_progress)[:10] if first_progress else None,
            "customfield_10018": {
                "hasEpicLinkFieldDependency": False,
                "showField": False,
                "nonEditableReason": {
                    "reason": "PLUGIN_LICENSE_ERROR",
                    "message": "The Parent Link is only available to Jira Premium users.",
                },
            },
            "timetracking": {},
            "security": None,
            "attachment": [],
            "aggregatetimeestimate": None,
            "summary": item.summary,
            "creator": self.user(item.reporter),
            "subtasks": [
                self.reference(child, as_of)
                for child in item.children
                if child.issue_type == "Sub-task" and child.created <= as_of
            ],
            "reporter": self.user(item.reporter),
            "aggregateprogress": {"progress": 0, "total": 0},
            "environment": None,
            "duedate": item.due_date,
            "progress": {"progress": 0, "total": 0},
            "votes": {
                "self": f"{SITE}/rest/api/{self.api}/issue/{item.key}/votes",
                "votes": 0,
                "hasVoted": False,
            },
            "comment": {
                "comments": [
                    self.comment(item, index, at, who, body) for index, (at, who, body) in enumerate(comments)
                ],
                "self": f"{SITE}/rest/api/{self.api}/issue/{item.issue_id}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            },
            "worklog": {"startAt": 0, "maxResults": 20, "total": 0, "worklogs": []},
        }
        for name in NULL_CUSTOM_FIELDS:
            fields[name] = None
        parent = item.parent or item.epic
        if parent is not None:
            fields["parent"] = self.reference(parent, as_of)
        if self.agile:
            sprints = [self.sprint(n, as_of) for n in state.sprints]
            fields["sprint"] = next((s for s in sprints if s["state"] == "active"), None)
            fields["closedSprints"] = [s for s in sprints if s["state"] == "closed"]
            fields["flagged"] = state.status == "10004"
            fields["epic"] = self.epic(item.epic, as_of) if item.epic is not None else None
        inline = histories[::-1][:INLINE_HISTORY_LIMIT]  # newest first, as the samples show
        return {
            "expand": EXPAND,
            "id": str(item.issue_id),
            "self": self.issue_self(item),
            "key": item.key,
            "fields": fields,
            "changelog": {
                "startAt": 0,
                "maxResults": len(inline),
                "total": len(histories),
                "histories": [self.history(h) for h in inline],
            },
        }

    def epic(self, epic: WorkItem, as_of: float) -> dict:
        return {
            "id": epic.issue_id,
            "key": epic.key,
            "self": f"{SITE}/rest/agile/1.0/epic/{epic.issue_id}",
            "name": epic.summary,
            "summary": epic.summary,
            "color": {"key": f"color_{1 + epic.seq % 9}"},
            "done": replay(epic, as_of).status == "10009",
        }

    def comment(self, item: WorkItem, index: int, at: float, who: Person, body: str) -> dict:
        comment_id = str(item.issue_id * 10 + index)
        return {
            "self": f"{SITE}/rest/api/{self.api}/issue/{item.issue_id}/comment/{comment_id}",
            "id": comment_id,
            "author": self.user(who),
            "body": self.text(body),
            "updateAuthor": self.user(who),
            "created": self.time(at),
            "updated": self.time(at),
            "jsdPublic": True,
        }

    def changelog_pages(self, item: WorkItem) -> list[dict]:
        """`GET /rest/api/3/issue/{key}/changelog`: every history, oldest first, 100 a page."""
        histories = item.histories
        pages = []
        for start in range(0, len(histories), CHANGELOG_PAGE_SIZE):
            chunk = histories[start : start + CHANGELOG_PAGE_SIZE]
            last = start + CHANGELOG_PAGE_SIZE >= len(histories)
            base = f"{SITE}/rest/api/3/issue/{item.key}/changelog?maxResults={CHANGELOG_PAGE_SIZE}"
            page: dict[str, object] = {"self": f"{base}&startAt={start}"}
            if not last:
                page["nextPage"] = f"{base}&startAt={start + CHANGELOG_PAGE_SIZE}"
            page.update(
                {
                    "maxResults": CHANGELOG_PAGE_SIZE,
                    "startAt": start,
                    "total": len(histories),
                    "isLast": last,
                    "values": [self.history(h) for h in chunk],
                }
            )
            pages.append(page)
        return pages


def _resolution(name: str | None, api: str) -> dict | None:
    if name is None:
        return None
    rid, description = RESOLUTIONS[name]
    return {
        "self": f"{SITE}/rest/api/{api}/resolution/{rid}",
        "id": rid,
        "description": description,
        "name": name,
    }


def _time_zone_name(offset_min: int) -> str:
    return {
        0: "Europe/London",
        60: "Europe/Berlin",
        -300: "America/Bogota",
        480: "Asia/Singapore",
        -480: "America/Los_Angeles",
        330: "Asia/Kolkata",
    }.get(offset_min, "Etc/UTC")


def next_page_token(project: str, page: int, seed: int) -> str:
    return "Ch0jU3RyaW5nJlVFRlomcHJvamVjdA" + hex_id(40, "jira-token", project, page, seed)
