#!/usr/bin/env bash
# The comment step of action.yml: post $MIGRATE_OUT/comment.md on the pull request, or update
# the comment an earlier run posted (found by the marker on its first line).
# Needs: GH_TOKEN, PR, GITHUB_REPOSITORY, `gh` on PATH.
set -euo pipefail

out="${MIGRATE_OUT:-${RUNNER_TEMP:-.}/migrate}"
marker='<!-- openai-responses-migrate -->'
id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate \
       --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | tail -n 1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@"$out/comment.md" > /dev/null
else
  gh pr comment "$PR" --body-file "$out/comment.md"
fi
