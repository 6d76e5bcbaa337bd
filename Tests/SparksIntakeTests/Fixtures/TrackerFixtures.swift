import Foundation

/// Responses shaped like the trackers' real ones (trimmed to the fields that matter, plus some
/// that do not, which parsers must ignore).
enum TrackerFixtures {
    static let githubIssues = """
        [
          {
            "url": "https://api.github.com/repos/acme/widgets/issues/42",
            "html_url": "https://github.com/acme/widgets/issues/42",
            "id": 2145678901,
            "node_id": "I_kwDOAbCdEf5_xYz1",
            "number": 42,
            "title": "Crash when the config file is empty",
            "user": { "login": "octocat", "id": 1, "type": "User" },
            "labels": [
              { "id": 101, "name": "sparks", "color": "ededed", "default": false },
              { "id": 102, "name": "priority: high", "color": "d73a4a", "default": false },
              { "id": 103, "name": "sparks:coder", "color": "0e8a16", "default": false }
            ],
            "state": "open",
            "locked": false,
            "assignee": null,
            "comments": 3,
            "created_at": "2025-05-02T10:11:12Z",
            "author_association": "MEMBER",
            "body": "Steps:\\n1. create an empty sparks.toml\\n2. run `sparks run`\\n\\nIt crashes.",
            "state_reason": null
          },
          {
            "url": "https://api.github.com/repos/acme/widgets/issues/41",
            "html_url": "https://github.com/acme/widgets/pull/41",
            "id": 2145678800,
            "number": 41,
            "title": "Fix the flaky test",
            "user": { "login": "hubot" },
            "labels": [ { "id": 101, "name": "sparks" } ],
            "state": "open",
            "body": "A pull request, not an issue.",
            "pull_request": {
              "url": "https://api.github.com/repos/acme/widgets/pulls/41",
              "html_url": "https://github.com/acme/widgets/pull/41",
              "merged_at": null
            }
          },
          {
            "html_url": "https://github.com/acme/widgets/issues/40",
            "id": 2145678700,
            "number": 40,
            "title": "Document the --json flag",
            "user": { "login": "mona" },
            "labels": [ { "name": "sparks" } ],
            "state": "open",
            "body": null
          }
        ]
        """

    static let gitlabIssues = """
        [
          {
            "id": 84736251,
            "iid": 7,
            "project_id": 4523,
            "title": "Pagination skips the last page",
            "description": "With 41 items and per_page=20 the third page is never requested.",
            "state": "opened",
            "created_at": "2025-04-30T08:00:00.000Z",
            "labels": ["sparks", "P1", "backend"],
            "milestone": null,
            "author": { "id": 12, "username": "jdoe", "name": "Jane Doe", "state": "active",
                        "web_url": "https://gitlab.com/jdoe" },
            "assignees": [],
            "web_url": "https://gitlab.com/acme/platform/-/issues/7",
            "severity": "UNKNOWN"
          }
        ]
        """

    static let jiraSearch = """
        {
          "expand": "schema,names",
          "startAt": 0,
          "maxResults": 20,
          "total": 2,
          "issues": [
            {
              "expand": "operations,editmeta",
              "id": "10042",
              "self": "https://acme.atlassian.net/rest/api/3/issue/10042",
              "key": "PROJ-12",
              "fields": {
                "summary": "Export fails for reports over 10 MB",
                "labels": ["sparks", "export"],
                "priority": { "self": "https://acme.atlassian.net/rest/api/3/priority/2", "name": "Highest", "id": "1" },
                "reporter": { "accountId": "5b10a2844c20165700ede21g", "displayName": "Mia Krystof", "active": true },
                "status": { "name": "In Progress", "id": "3", "statusCategory": { "key": "indeterminate" } },
                "description": {
                  "type": "doc",
                  "version": 1,
                  "content": [
                    { "type": "paragraph", "content": [
                      { "type": "text", "text": "Exporting a " },
                      { "type": "text", "text": "large", "marks": [ { "type": "strong" } ] },
                      { "type": "text", "text": " report times out." }
                    ] },
                    { "type": "bulletList", "content": [
                      { "type": "listItem", "content": [ { "type": "paragraph", "content": [
                        { "type": "text", "text": "seen on 2.3.1" } ] } ] },
                      { "type": "listItem", "content": [ { "type": "paragraph", "content": [
                        { "type": "mention", "attrs": { "id": "abc", "text": "@Ravi" } },
                        { "type": "text", "text": " can reproduce" } ] } ] }
                    ] },
                    { "type": "paragraph", "content": [
                      { "type": "text", "text": "first line" },
                      { "type": "hardBreak" },
                      { "type": "text", "text": "second line" }
                    ] }
                  ]
                }
              }
            },
            {
              "id": "10043",
              "key": "PROJ-13",
              "fields": {
                "summary": "Typo on the login page",
                "labels": ["sparks"],
                "priority": null,
                "reporter": null,
                "status": { "name": "To Do" },
                "description": null
              }
            }
          ]
        }
        """

    static let jiraTransitions = """
        {
          "expand": "transitions",
          "transitions": [
            { "id": "11", "name": "To Do", "to": { "name": "To Do", "statusCategory": { "key": "new" } } },
            { "id": "21", "name": "Start work", "to": { "name": "In Progress", "statusCategory": { "key": "indeterminate" } } },
            { "id": "41", "name": "Ship it", "to": { "name": "Resolved", "statusCategory": { "key": "done" } } },
            { "id": "31", "name": "Done", "to": { "name": "Done", "statusCategory": { "key": "done" } } }
          ]
        }
        """

    static let linearIssues = """
        {
          "data": {
            "issues": {
              "nodes": [
                {
                  "id": "9cfb482a-81e3-4154-b5b9-2c805e70a02d",
                  "identifier": "ENG-123",
                  "number": 123,
                  "title": "Retry webhooks on 502",
                  "description": "Webhook deliveries that get a 502 are dropped.\\n\\nRetry with backoff.",
                  "url": "https://linear.app/acme/issue/ENG-123/retry-webhooks-on-502",
                  "priority": 1,
                  "state": { "name": "Todo", "type": "unstarted" },
                  "labels": { "nodes": [ { "name": "sparks" }, { "name": "sparks:reviewer" } ] },
                  "creator": { "name": "ada@acme.io", "displayName": "ada" }
                },
                {
                  "id": "0d1c6a7e-7b0a-4d5e-9a53-5c7a1e9b2f10",
                  "identifier": "ENG-124",
                  "number": 124,
                  "title": "Tidy the README",
                  "description": null,
                  "url": "https://linear.app/acme/issue/ENG-124/tidy-the-readme",
                  "priority": 0,
                  "state": { "name": "Backlog", "type": "backlog" },
                  "labels": { "nodes": [ { "name": "sparks" } ] },
                  "creator": null
                }
              ]
            }
          }
        }
        """

    static let linearStates = """
        {
          "data": {
            "workflowStates": {
              "nodes": [
                { "id": "state-released", "name": "Released", "type": "completed", "position": 5 },
                { "id": "state-done", "name": "Done", "type": "completed", "position": 3 }
              ]
            }
          }
        }
        """
}
