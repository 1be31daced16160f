#!/usr/bin/env bash
# The review step of action.yml: run `migrate` on a pull request's changed Python files and
# notebooks, read against the whole project. Writes into $MIGRATE_OUT: report.md (the Markdown
# report, with the suggested patch folded in), comment.md (the same, behind the marker that
# finds the comment again), migrate.diff, project.json. Prints GitHub annotations on stdout.
# Needs: BASE_SHA, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, `migrate` and `python` on PATH.
set -uo pipefail
set +e  # exit statuses are read, not fatal (GitHub runs steps with bash -e)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${MIGRATE_OUT:-${RUNNER_TEMP:-.}/migrate}"
mkdir -p "$out"
marker='<!-- openai-responses-migrate -->'

# NUL-separated, so that any file name works.
mapfile -d '' changed < <(git diff -z --name-only --diff-filter=ACMR "$BASE_SHA"...HEAD -- '*.py' '*.ipynb')
if [ "${#changed[@]}" -eq 0 ]; then
  echo "files=0" >> "$GITHUB_OUTPUT"
  echo "status=0" >> "$GITHUB_OUTPUT"
  echo "No Python file or notebook changed." >> "$GITHUB_STEP_SUMMARY"
  exit 0
fi

# 1. The whole project, read once: a result that crosses modules is followed into all of them.
# Its exit status says nothing here (1: changes somewhere); only a missing report is an error.
migrate apply --check --format json --output "$out/project.json" . 2> "$out/project.log" || true
if [ ! -s "$out/project.json" ]; then
  cat "$out/project.log" >&2
  echo "::error title=migrate::the run over the whole project failed"
  exit 2
fi
# 2. The changed files, with every file that migrates in one unit with them.
mapfile -d '' files < <(python "$here/select_files.py" "$out/project.json" "${changed[@]}")
echo "files=${#files[@]}" >> "$GITHUB_OUTPUT"

# 3. The review. Exit status: 0 nothing to do, 1 changes or reported calls, 2 an error.
status=0
migrate apply --diff --format markdown --output "$out/report.md" "${files[@]}" > "$out/migrate.diff" 2> /dev/null || status=$?
migrate apply --check --format github "${files[@]}" 2> /dev/null || true  # annotations on the changed lines
echo "status=$status" >> "$GITHUB_OUTPUT"
if [ -s "$out/migrate.diff" ]; then
  if [ "$(wc -c < "$out/migrate.diff")" -lt 50000 ]; then
    # A four-backtick fence: the patch may hold ``` itself.
    { printf '\n<details><summary>Suggested patch</summary>\n\n````diff\n'
      cat "$out/migrate.diff"
      printf '````\n\n</details>\n'; } >> "$out/report.md"
  else
    printf '\nThe suggested patch is too long for a comment: run `migrate apply` on the files above.\n' >> "$out/report.md"
  fi
fi
{ echo "$marker"; cat "$out/report.md"; } > "$out/comment.md"
cat "$out/report.md" >> "$GITHUB_STEP_SUMMARY"
# Changes and reported calls are the point of the review; only an error fails the step.
if [ "$status" -eq 2 ]; then exit 2; fi
exit 0
