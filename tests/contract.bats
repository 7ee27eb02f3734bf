#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command-line contract every numakit binary keeps (STYLE.md, after
# util-linux): --help and --version on stdout with exit 0, the two-line
# message and exit 2 for an unknown option, a failed write to stdout is an
# error, and every long option is documented in the man page and completed by
# bash, zsh and fish.  Each test checks every binary built in $NK_BUILD and
# names each one that breaks the rule, so a new binary needs no new test.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	mapfile -t tools < <(built_tools)
	bad=()
}

# Skip unless some binary is built.
need_tools() {
	((${#tools[@]} > 0)) || skip "no numakit binary is built in $NK_BUILD"
}

# Note that a binary broke the rule: "tool: what is wrong".
broke() {
	bad+=("$*")
}

# Pass, or fail listing every broken rule noted with broke.
verdict() {
	((${#bad[@]} == 0)) && return 0
	printf '%s\n' "${bad[@]}"
	return 1
}

# Show what the last `run` produced, after a broke line; \n marks line ends.
show_run() {
	local nl=$'\n'

	broke "  got status $status"
	broke "  got stdout: '${output:0:300}'" && bad[-1]=${bad[-1]//$nl/\\n}
	broke "  got stderr: '${stderr:0:300}'" && bad[-1]=${bad[-1]//$nl/\\n}
}

# Print the long options that `TOOL --help` lists, one a line, sorted.  Only
# the option column counts (popt indents it by at most 8 spaces, "  -o,
# --output" or "      --ranges"): a description may name another tool's
# option, and its wrapped lines are indented further.
help_options() {
	"$NK_BUILD/$1" --help | grep -oE -- '^ {1,8}(-[A-Za-z0-9], )?--[a-z][a-z0-9-]*' |
		grep -oE -- '--[a-z][a-z0-9-]*$' | sort -u
}

# Print the man page source of TOOL (man/TOOL.SECTION.scd), or nothing.
man_page() {
	compgen -G "$NK_SRC/man/$1.[0-9]*.scd" | head -n 1
}

# Check that every long option of each tool appears in its file KIND
# (man, bash, zsh or fish).
check_options_in() {
	local kind=$1 t opt file name re

	for t in "${tools[@]}"; do
		case $kind in
		man) file=$(man_page "$t") ;;
		bash) file=$NK_SRC/completions/bash/$t ;;
		zsh) file=$NK_SRC/completions/zsh/_$t ;;
		fish) file=$NK_SRC/completions/fish/$t.fish ;;
		esac
		if [[ -z $file || ! -f $file ]]; then
			file=${file:-$NK_SRC/man/$t.N.scd}
			broke "$t: no $kind file (${file#"$NK_SRC"/})"
			continue
		fi
		while read -r opt; do
			name=${opt#--}
			if [[ $kind == fish ]]; then
				# fish names long options bare: `complete -c t -l name`.
				re="(^|[[:space:]])(-l|--long-option)[[:space:]=]+[\"']?$name([^a-z0-9-]|\$)"
			else
				re="(^|[^a-zA-Z0-9-])--$name([^a-zA-Z0-9-]|\$)"
			fi
			grep -Eq -- "$re" "$file" || broke "$t: --help lists $opt, ${file#"$NK_SRC"/} does not"
		done < <(help_options "$t")
	done
	verdict
}

@test "--help prints usage on stdout, nothing on stderr, exit 0" {
	need_tools
	for t in "${tools[@]}"; do
		run --separate-stderr "$NK_BUILD/$t" --help
		if ((status != 0)) || [[ -z $output || -n $stderr ]]; then
			broke "$t: --help: want exit 0, usage on stdout, empty stderr"
			show_run
		fi
	done
	verdict
}

@test "--version prints '<name> (numakit) <version>' on stdout, exit 0" {
	need_tools
	local version

	read -r version <"$NK_SRC/VERSION"
	for t in "${tools[@]}"; do
		run --separate-stderr "$NK_BUILD/$t" --version
		if ((status != 0)) || [[ -n $stderr ]] || ! [[ $output =~ ^$t\ \(numakit\)\ [0-9] ]]; then
			broke "$t: --version: want exit 0, '$t (numakit) $version' on stdout, empty stderr"
			show_run
		elif [[ $output != "$t (numakit) $version" ]]; then
			broke "$t: --version: want '$t (numakit) $version' (VERSION), got '$output'"
		fi
	done
	verdict
}

@test "an unknown option: exit 2, nothing on stdout, two lines on stderr" {
	need_tools
	local t want

	for t in "${tools[@]}"; do
		run --separate-stderr "$NK_BUILD/$t" --frobnicate
		want="$t: unrecognized option '--frobnicate'"$'\n'"Try '$t --help' for more information."
		if ((status != 2)) || [[ -n $output || $stderr != "$want" ]]; then
			broke "$t: --frobnicate: want exit 2, empty stdout, stderr exactly:"
			broke "  $t: unrecognized option '--frobnicate'"
			broke "  Try '$t --help' for more information."
			show_run
		fi
	done
	verdict
}

# Run `TOOL --help` with stdout on a full device.
help_to_full() {
	"$NK_BUILD/$1" --help >/dev/full
}

@test "--help to a full device fails: exit 1, a write error on stderr" {
	need_tools
	[[ -w /dev/full ]] || skip "no /dev/full"
	for t in "${tools[@]}"; do
		run --separate-stderr help_to_full "$t"
		if ((status != 1)) || ! [[ $'\n'$stderr =~ $'\n'$t:\ .*write\ error ]]; then
			broke "$t: --help >/dev/full: want exit 1 and '$t: write error: ...' on stderr"
			show_run
		fi
	done
	verdict
}

@test "every long option in --help is in the man page" {
	need_tools
	local t section page

	for t in "${tools[@]}"; do
		# The page --help points to ("See t(8)") must be the one there is.
		section=$("$NK_BUILD/$t" --help | grep -oE "\\b$t\\([0-9]\\)" | head -n 1 | tr -dc 0-9)
		page=$(man_page "$t")
		if [[ -n $section && -n $page && $page != */$t.$section.scd ]]; then
			broke "$t: --help points to $t($section), the page is ${page#"$NK_SRC"/}"
		fi
	done
	check_options_in man
}

@test "every long option in --help is in the bash completion" {
	need_tools
	check_options_in bash
}

@test "every long option in --help is in the zsh completion" {
	need_tools
	check_options_in zsh
}

@test "every long option in --help is in the fish completion" {
	need_tools
	check_options_in fish
}

@test "man/numakit.7.scd exists" {
	[[ -f $NK_SRC/man/numakit.7.scd ]]
}

@test "every man page builds with scdoc without warnings" {
	requires command scdoc
	local page pages=()

	for t in "${tools[@]}"; do
		[[ -n $(man_page "$t") ]] || broke "$t: no man page man/$t.N.scd"
	done
	mapfile -t pages < <(compgen -G "$NK_SRC/man/*.scd")
	((${#pages[@]} > 0)) || skip "no man page yet"
	for page in "${pages[@]}"; do
		run --separate-stderr scdoc <"$page"
		if ((status != 0)) || [[ -n $stderr || -z $output ]]; then
			broke "${page#"$NK_SRC"/}: scdoc failed or warned (status $status): $stderr"
		fi
	done
	verdict
}

# Run TOOL with a repeated string option where only the last value works; the
# sanitizer build fails the run (exit 1) if the first copy leaked.
repeated_option() {
	local spm=$NK_SRC/tests/fixtures/spm/vm-3node damon=$NK_SRC/tests/fixtures/damon/newest

	case $1 in
	mapsdump) "$NK_BUILD/mapsdump" --name nosuch --name '\[stack\]' "$$" ;;
	pmbind) "$NK_BUILD/pmbind" --show -p 0 -p "$$" ;;
	cpumm) "$NK_BUILD/cpumm" --sort nosuch --sort span "$$" ;;
	spmctl) "$NK_BUILD/spmctl" --sysroot /nonexistent --sysroot "$spm" list -o NOSUCH -o NODE ;;
	damonctl) "$NK_BUILD/damonctl" --sysroot "$damon" status --kdamond x --kdamond 0 ;;
	esac
}

@test "a repeated string option: the last one counts, nothing leaks" {
	need_tools
	for t in "${tools[@]}"; do
		run --separate-stderr repeated_option "$t"
		if ((status != 0)) || [[ -z $output || -n $stderr ]]; then
			broke "$t: a repeated string option: want exit 0, output, empty stderr"
			show_run
		fi
	done
	verdict
}
