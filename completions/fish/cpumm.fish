# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for cpumm(1)

# -o [+]LIST: complete the part after the last comma, less the columns
# already given.
function __cpumm_columns
    set -l tok (commandline -ct | string replace -r -- '^(-o|--output=)' '')
    set -l prefix (string match -r -- '^(?:\+?.*,|\+)' $tok)
    set -l seen (string split , -- (string upper -- (string replace -r -- '^\+' '' "$prefix")))
    for col in PID COMM CPUS_ACTIVE_MM_LIST CPUS_ACTIVE_MM CPUS_ALLOWED_LIST CPUS_ALLOWED \
        NODES SPAN STALE NSTALE NACTIVE SOURCE MISMATCH THREADS
        contains -- $col $seen; or printf '%s%s\n' "$prefix" $col
    end
end

# PIDs of the live system, or of the captured tree given with --sysroot.
function __cpumm_pids
    set -l args (commandline -opc)
    set -l root
    for i in (seq (count $args))
        switch $args[$i]
            case --sysroot
                set root $args[(math $i + 1)]
            case '--sysroot=*'
                set root (string replace -- --sysroot= '' $args[$i])
        end
    end
    if test -z "$root"
        __fish_complete_pids
        return
    end
    set root (string replace -r -- '^~' $HOME $root)
    for p in $root/proc/*/
        string match -r -- '(?<=/)[0-9]+(?=/$)' $p
    end
end

# True once -- is on the command line: cpumm runs what follows.
function __cpumm_after_dashdash
    contains -- -- (commandline -opc)
end

# True if one of these options is on the command line before --.
function __cpumm_has
    for a in (commandline -opc)
        test "$a" = --; and return 1
        contains -- $a $argv; and return 0
    end
    return 1
end

# A PID is wanted: before --, and without -a.
function __cpumm_wants_pid
    not __cpumm_after_dashdash; and not __cpumm_has -a --all
end

# The command line after --, completed as a command of its own.
function __cpumm_complete_command
    set -l cmd (commandline -opc)
    set -l i (contains -i -- -- $cmd)
    set -l line (string join ' ' -- $cmd[(math $i + 1)..-1])
    if test -n "$line"
        set line "$line "
    end
    complete -C "$line"(commandline -ct)
end

complete -c cpumm -f

# After --: the command that cpumm runs.
complete -c cpumm -n __cpumm_after_dashdash -x -a '(__cpumm_complete_command)'
complete -c cpumm -n __cpumm_wants_pid -a '(__cpumm_pids)'

set -l opts 'not __cpumm_after_dashdash'
complete -c cpumm -n "$opts; and not __cpumm_has -w --watch" -s a -l all \
    -d 'Every process (kernel threads skipped)'
complete -c cpumm -n "$opts; and not __cpumm_has -w --watch" -l sort -x -d 'Order the rows' -a '
    span\t"NUMA nodes spanned, widest first"
    stale\t"Stale CPUs, most first"
    pid\t"By process ID"'
complete -c cpumm -n "$opts; and not __cpumm_has -a --all" -s w -l watch \
    -d 'Follow one process: a line per change'
complete -c cpumm -n $opts -s i -l interval -x -a '100ms 500ms 1s 2s 10s' \
    -d 'Sampling window, and time between reads'
complete -c cpumm -n "$opts; and __cpumm_has -w --watch" -s c -l count -x \
    -d 'Stop after COUNT reads'
complete -c cpumm -n $opts -l source -x -d 'Where the active CPUs come from' -a '
    auto\t"Cpus_active_mm where the kernel has it, else sample"
    kernel\t"Cpus_active_mm only (exit 4 without it)"
    sample\t"The CPUs the threads run on"'

# Output options; --watch prints lines of its own.
set -l table "$opts; and not __cpumm_has -w --watch"
complete -c cpumm -n $opts -s J -l json -d 'Use JSON output'
complete -c cpumm -n $table -s o -l output -x -a '(__cpumm_columns)' \
    -d 'Output columns (+LIST adds to the defaults)'
complete -c cpumm -n $table -l output-all -d 'Output all columns'
complete -c cpumm -n $table -s r -l raw -d 'Use the raw output format'
complete -c cpumm -n $table -s n -l noheadings -d "Don't print headings"
complete -c cpumm -n $opts -s b -l bytes -d 'Accepted; cpumm prints no sizes'

# Common options
complete -c cpumm -n $opts -l sysroot -x -a '(__fish_complete_directories)' \
    -d 'Read /proc and /sys below DIR'
complete -c cpumm -n $opts -s v -l verbose -d 'Say what is done'
complete -c cpumm -n $opts -s h -l help -d 'Display help'
complete -c cpumm -n $opts -s V -l version -d 'Display version'
