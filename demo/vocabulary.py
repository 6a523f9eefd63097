"""Words of the demo organisation: what each team works on, how people title things."""

from __future__ import annotations

import random
import re

DOMAIN_NOUNS: dict[str, tuple[str, ...]] = {
    "checkout": (
        "cart summary",
        "promo code field",
        "shipping options step",
        "guest checkout",
        "order confirmation page",
        "address autocomplete",
        "basket API",
        "tax calculation",
        "checkout session",
        "gift card redemption",
    ),
    "payments": (
        "refund endpoint",
        "3DS challenge flow",
        "idempotency keys",
        "payout reconciliation",
        "card tokenisation",
        "chargeback webhook",
        "SEPA mandate",
        "currency rounding",
        "payment retries",
        "ledger export",
    ),
    "catalog": (
        "product search index",
        "category tree",
        "price import job",
        "variant picker API",
        "inventory sync",
        "image CDN paths",
        "catalog GraphQL schema",
        "bulk edit tool",
        "SKU validation",
        "facet counts",
    ),
    "identity": (
        "SSO login",
        "password reset flow",
        "MFA enrolment",
        "refresh tokens",
        "SCIM provisioning",
        "OAuth consent screen",
        "account lockout policy",
        "JWT key rotation",
        "login rate limiter",
        "profile API",
    ),
    "infra": (
        "edge gateway routing",
        "Terraform state layout",
        "Kubernetes node pools",
        "TLS certificate renewal",
        "CDN cache rules",
        "log shipping",
        "autoscaling policy",
        "service mesh config",
        "bastion access",
        "backup retention",
    ),
    "data-platform": (
        "orders ingestion DAG",
        "customer snapshots",
        "warehouse cost dashboard",
        "event schema registry",
        "late-arriving events",
        "Airflow worker pool",
        "PII masking job",
        "revenue model",
        "data quality checks",
        "S3 partition layout",
    ),
    "growth-web": (
        "landing page experiment",
        "referral banner",
        "newsletter signup",
        "SEO metadata",
        "pricing page",
        "onboarding checklist",
        "experiment assignment",
        "UTM tracking",
        "promo countdown",
        "signup funnel events",
    ),
    "mobile": (
        "push notification opt-in",
        "offline cart",
        "app start time",
        "deep links",
        "biometric login",
        "in-app review prompt",
        "order tracking screen",
        "crash reporting",
        "dark mode",
        "image caching",
    ),
    "billing": (
        "invoice numbering",
        "proration",
        "dunning emails",
        "tax calculation",
        "credit notes",
        "usage metering",
        "subscription upgrades",
        "invoice PDF",
        "payment retries",
        "billing exports",
    ),
    "search": (
        "query autocomplete",
        "synonym list",
        "search ranking",
        "typo tolerance",
        "facet counts",
        "index rebuild",
        "zero-result queries",
        "search latency",
        "boost rules",
        "query logging",
    ),
    "fulfilment": (
        "pick lists",
        "carrier labels",
        "shipment tracking",
        "warehouse allocation",
        "split shipments",
        "return labels",
        "delivery slots",
        "packing slips",
        "stock reservations",
        "dispatch cut-off",
    ),
}

COMPONENTS: dict[str, tuple[str, ...]] = {
    "checkout": ("Web", "API", "Pricing"),
    "payments": ("Gateway", "Ledger", "Refunds", "Fraud"),
    "catalog": ("Search", "Import", "Admin"),
    "identity": ("Auth", "Accounts", "Provisioning"),
    "infra": ("Gateway", "Kubernetes", "Observability"),
    "data-platform": ("Pipelines", "Warehouse", "Governance"),
    "growth-web": ("Experiments", "Marketing Site", "Tracking"),
    "mobile": ("iOS", "Android", "Backend"),
    "billing": ("Invoicing", "Subscriptions", "Tax"),
    "search": ("Indexing", "Ranking", "Query API"),
    "fulfilment": ("Warehouse", "Carriers", "Returns"),
}

LABELS: dict[str, tuple[str, ...]] = {
    "Story": ("customer-facing", "backend", "frontend", "q-goal"),
    "Bug": ("customer-reported", "regression", "production", "backend"),
    "Task": ("ops", "backend", "housekeeping"),
    "Tech Debt": ("tech-debt", "refactoring", "upgrade"),
    "Risk": ("risk", "compliance", "capacity"),
    "Epic": ("roadmap",),
    "Sub-task": ("backend", "frontend"),
}

CASES = (
    "empty baskets",
    "non-EU addresses",
    "expired sessions",
    "long names",
    "zero amounts",
    "leap days",
    "large orders",
    "retried requests",
    "slow networks",
    "multiple currencies",
)

STORY_VERBS = ("Add", "Support", "Build", "Improve", "Redesign", "Introduce", "Extend", "Migrate")
BUG_TEMPLATES = (
    "Fix {noun} failing for {case}",
    "{Noun} returns 500 for {case}",
    "{Noun} times out under load",
    "Wrong totals in {noun}",
    "{Noun} breaks for {case}",
)
TASK_TEMPLATES = (
    "Update {noun} runbook",
    "Set up alerts for {noun}",
    "Configure {noun} for staging",
    "Review {noun}",
)
DEBT_TEMPLATES = (
    "Refactor {noun}",
    "Remove legacy {noun} code path",
    "Upgrade dependencies of {noun}",
    "Add tests for {noun}",
)
RISK_TEMPLATES = (
    "Risk: {noun} is a single point of failure",
    "Risk: vendor deprecation affecting {noun}",
    "Risk: capacity of {noun} before peak season",
)
EPIC_TEMPLATES = ("{Noun} revamp", "{Noun} v2", "Scale {noun}", "{Noun} for new markets")

COMMIT_MESSAGES = (
    "Add {noun} handler",
    "Wire up tests",
    "Handle {case}",
    "Refactor {noun} internals",
    "Update snapshots",
    "Add metrics for {noun}",
    "Tidy up",
    "Extract {noun} helper",
    "Add migration",
    "Update API docs",
)
FIX_COMMIT_MESSAGES = (
    "Address review comments",
    "Fix lint",
    "Rename per review",
    "Add missing test",
    "Simplify error handling",
    "Handle {case} as discussed",
)
CHORE_TITLES = (
    "Fix flaky integration test",
    "Update CODEOWNERS",
    "Tidy logging config",
    "Speed up CI cache",
    "Update README",
    "Remove unused feature flag",
    "Bump base image",
    "Add pre-commit hooks",
    "Silence noisy warning in tests",
    "Document local setup",
)
DIRECT_PUSH_MESSAGES = (
    "Bump version to {version}",
    "Update CHANGELOG",
    "Fix typo in README",
    "Update on-call runbook link",
)

REVIEW_BODIES = {
    "APPROVED": ("", "LGTM", "Looks good 👍", "Ship it", "Nice, thanks!"),
    "CHANGES_REQUESTED": (
        "Please add a test for the failure path.",
        "This needs a migration guard.",
        "Can we avoid the extra query here?",
        "The error handling swallows the cause.",
    ),
    "COMMENTED": ("A couple of nits inline.", "Question about the retry logic.", "Left some thoughts.", ""),
    "SELF": ("Addressed the comments, thanks!", "Replied inline.", "Pushed a fix."),
}

PACKAGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # ecosystem: (package, from version, to version)
    "npm_and_yarn": (
        ("lodash", "4.17.20", "4.17.21"),
        ("axios", "1.6.8", "1.7.4"),
        ("react", "18.2.0", "18.3.1"),
        ("typescript", "5.4.5", "5.5.4"),
        ("eslint", "8.57.0", "9.9.0"),
        ("jest", "29.6.4", "29.7.0"),
    ),
    "pip": (
        ("requests", "2.31.0", "2.32.3"),
        ("boto3", "1.34.10", "1.35.2"),
        ("pydantic", "2.7.1", "2.8.2"),
        ("sqlalchemy", "2.0.30", "2.0.32"),
        ("pytest", "8.2.0", "8.3.2"),
    ),
    "go_modules": (
        ("golang.org/x/net", "0.24.0", "0.26.0"),
        ("google.golang.org/grpc", "1.63.2", "1.65.0"),
        ("github.com/aws/aws-sdk-go-v2", "1.26.1", "1.30.3"),
    ),
    "gradle": (
        ("com.squareup.okhttp3:okhttp", "4.11.0", "4.12.0"),
        ("org.jetbrains.kotlin:kotlin-stdlib", "1.9.23", "2.0.0"),
        ("io.ktor:ktor-server-core", "2.3.10", "2.3.12"),
    ),
    "terraform": (
        ("hashicorp/aws", "5.46.0", "5.62.0"),
        ("hashicorp/kubernetes", "2.29.0", "2.31.0"),
    ),
}

INCIDENT_SYMPTOMS = (
    "Elevated 5xx on {service}",
    "{Service} p99 latency above SLO",
    "Error rate spike on {service}",
    "{Service} health checks failing",
    "Queue backlog growing on {service}",
    "{Service} pods crash-looping",
)
BACKGROUND_INCIDENTS = (
    "Upstream provider degraded: {service} timeouts",
    "Disk usage above 90% on {service} nodes",
    "{Service} certificate expires in 7 days",
    "Traffic spike on {service}",
    "DNS resolution errors for {service}",
)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def fill(template: str, rng: random.Random, nouns: tuple[str, ...]) -> str:
    noun = rng.choice(nouns)
    return template.format(noun=noun, Noun=capitalise(noun), case=rng.choice(CASES))


def summary_for(issue_type: str, team: str, rng: random.Random) -> str:
    nouns = DOMAIN_NOUNS[team]
    if issue_type == "Story" or issue_type == "Sub-task":
        return f"{rng.choice(STORY_VERBS)} {rng.choice(nouns)}"
    if issue_type == "Bug":
        return fill(rng.choice(BUG_TEMPLATES), rng, nouns)
    if issue_type == "Task":
        return fill(rng.choice(TASK_TEMPLATES), rng, nouns)
    if issue_type == "Tech Debt":
        return fill(rng.choice(DEBT_TEMPLATES), rng, nouns)
    if issue_type == "Risk":
        return fill(rng.choice(RISK_TEMPLATES), rng, nouns)
    return fill(rng.choice(EPIC_TEMPLATES), rng, nouns)


def slugify(text: str, limit: int = 32) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")
