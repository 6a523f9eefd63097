"""The demo organisation: a believable company whose exports (Jira, GitHub and PagerDuty for most teams;
Azure DevOps, GitLab, Jenkins and Opsgenie for the others) fill the landing folder, so that the whole
warehouse can be run and shown without access to real tools.

`organisation` names the teams and what they own; `generate.generate_demo_exports` writes the exports.
"""
