"""The smoke check's program: every script loaded into one metacallcli,
then the declaration's checks called, each within a time limit."""

from __future__ import annotations

from collections.abc import Sequence

from frontend.plan.shell import Scripts

# The smoke check: `SMOKE_CHECK LIMIT TAG SCRIPT [TAG SCRIPT]… [-- WHERE CALL
# EXPECT]…` loads each script into one metacallcli, in order, and fails
# naming the first that does not load, or that does not finish loading
# within LIMIT seconds (a script may start a server, not block); then makes
# each call (app.checks) and fails naming the check (WHERE, its line) whose
# answer does not contain EXPECT. After each command it sends one the REPL
# does not know: its answer marks the command as finished.
SMOKE_CHECK = r"""limit=$1; shift
in=${TMPDIR:-/tmp}/metacall-smoke-check.in out=${TMPDIR:-/tmp}/metacall-smoke-check.out
mkfifo "$in"
metacallcli < "$in" > "$out" 2>&1 &
cli=$!
exec 3> "$in"
fail() {
	kill -KILL "$cli" 2>/dev/null
	echo "smoke check: $1"
	echo "---- metacallcli said:"
	tail -n "+$2" "$out" | grep -v 'metacall-smoke-check-' | head -n 40
	echo "----"
	port="No module named '?metacall|Cannot find module '?metacall|such file -- metacall"
	if grep -Eq "$port" "$out"; then
		echo "hint: the script uses MetaCall's ports: they are built unless core.ports is false"
	elif grep -Eq "No module named|Cannot find module|cannot load such file" "$out"; then
		echo "hint: is the module in the app's requirements.txt, package.json or Gemfile?"
	fi
	exit 1
}
n=0
# send COMMAND SUBJECT DOING DONE [WHY]: runs a REPL command (its output is
# then in $answer), failing as "metacallcli stopped while DOING SUBJECT" or
# "SUBJECT did not DONE within LIMIT sWHY".
send() {
	n=$((n + 1)) start=$(($(wc -l < "$out") + 1)) ticks=0
	printf '%s\nmetacall-smoke-check-%s\n' "$1" "$n" >&3
	until grep -Eq "metacall-smoke-check-$n([^0-9]|\$)" "$out"; do
		kill -0 "$cli" 2>/dev/null || fail "metacallcli stopped while $3 $2" "$start"
		[ "$ticks" -lt "$((limit * 10))" ] || fail "$2 did not $4 within $limit s${5:-}" "$start"
		sleep 0.1
		ticks=$((ticks + 1))
	done
	answer=$(tail -n "+$start" "$out" | sed "/metacall-smoke-check-$n/,\$d")
}
loads=0
while [ "$#" -gt 1 ] && [ "$1" != -- ]; do
	tag=$1 script=$2; shift 2; loads=$((loads + 1))
	send "load $tag $script" "$script ($tag)" loading "finish loading" ": a script must return \
once loaded (a server may listen, not block)"
	status=$(printf '%s\n' "$answer" | sed -n 's/^\(λ \)\{0,1\}\(-\{0,1\}[0-9][0-9]*\)$/\2/p' \
		| tail -n 1)
	[ "$status" = 0 ] \
		|| fail "$script ($tag) did not load: MetaCall answered ${status:-nothing}" "$start"
done
[ "${1:-}" != -- ] || shift
checks=0
while [ "$#" -gt 2 ]; do
	where=$1 call=$2 expect=$3; shift 3; checks=$((checks + 1))
	send "call $call" "$where: the check \`call $call\`" answering answer
	case "$answer" in
		*"$expect"*) ;;
		*) fail "$where: the check \`call $call\` answered without \`$expect\`" "$start" ;;
	esac
done
kill -KILL "$cli" 2>/dev/null
echo "smoke check: $loads script(s) loaded, $checks check(s) answered"
"""


def smoke_check_args(scripts: Scripts, limit: int,
                     checks: Sequence[tuple[str, str, str]] = ()) -> list[str]:
    """LIMIT, TAG SCRIPT per script, then -- and WHERE CALL EXPECT per check."""
    loads = [str(limit), *(word for load in scripts for word in load)]
    return [*loads, "--", *(word for check in checks for word in check)] if checks else loads
