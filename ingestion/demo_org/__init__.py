"""The demo organisation: a believable company whose Jira, GitHub and PagerDuty exports fill the landing
folder, so that the whole warehouse can be run and shown without access to real tools.

`organisation` names the teams and what they own; `generate.generate_demo_exports` writes the exports.
"""
