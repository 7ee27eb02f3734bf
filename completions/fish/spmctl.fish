# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for spmctl(8)

# The --sysroot value already on the command line, or nothing.
function __spmctl_sysroot
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
    string replace -r -- '^~' $HOME "$root"
end

# The nodes, one a line: the nodeN directories of the live tree or of the
# --sysroot tree (the nodes spmctl lists).
function __spmctl_nodes
    for d in (__spmctl_sysroot)/sys/devices/system/node/node*/
        string match -r -- '(?<=/node)[0-9]+(?=/$)' $d
    end | sort -n
end

# A node list (run --nodes, who): complete the part after the last ',',
# '!', '+' or '-'; `all` only as the whole list.
function __spmctl_nodelist
    set -l tok (commandline -ct | string replace -r -- '^--nodes=' '')
    set -l prefix (string match -r -- '^.*[,!+-]' $tok)
    test -z "$prefix"; and echo all
    for n in (__spmctl_nodes)
        printf '%s%s\n' "$prefix" $n
    end
end

# The dax devices of the live tree or of the --sysroot tree, with their
# driver.
function __spmctl_daxdevs
    for d in (__spmctl_sysroot)/sys/bus/dax/devices/dax*
        set -l drv none
        test -L $d/driver; and set drv (basename (readlink $d/driver))
        printf '%s\ton %s\n' (basename $d) $drv
    end
end

# The words that are not options or option values: the command and its
# arguments, and nothing once -- is reached (the command that run runs).
function __spmctl_args
    set -l args (commandline -opc)
    set -e args[1]
    set -l skip 0
    for a in $args
        if test $skip = 1
            set skip 0
            continue
        end
        switch $a
            case --
                return
            case '--*=*'
            case -o --output --nodes --policy --sysroot
                set skip 1
            case '-*'
            case '*'
                echo $a
        end
    end
end

# -o [+]LIST: the columns of the command (list's by default), after the last
# comma, less those already given.
function __spmctl_columns
    set -l tok (commandline -ct | string replace -r -- '^(-o|--output=)' '')
    set -l prefix (string match -r -- '^(?:\+?.*,|\+)' $tok)
    set -l seen (string split , -- (string upper -- (string replace -r -- '^\+' '' "$prefix")))
    set -l cols NODE KIND TIER SIZE FREE CPUS SOURCE ZONE DAX DISTANCE WEIGHT BLOCKS LATENCY \
        BANDWIDTH
    set -l args (__spmctl_args)
    test "$args[1]" = who; and set cols PID COMM NODE KIND PAGES SIZE PERCENT
    for col in $cols
        contains -- $col $seen; or printf '%s%s\n' "$prefix" $col
    end
end

# True once -- is on the command line: run runs what follows.
function __spmctl_after_dashdash
    contains -- -- (commandline -opc)
end

function __spmctl_no_command
    not __spmctl_after_dashdash; and test (count (__spmctl_args)) -eq 0
end

# True if the arguments so far are exactly these words.
function __spmctl_args_are
    not __spmctl_after_dashdash; or return 1
    set -l args (__spmctl_args)
    test "$args" = "$argv"
end

# True if the command is one of these.
function __spmctl_command_is
    not __spmctl_after_dashdash; or return 1
    set -l args (__spmctl_args)
    test (count $args) -ge 1; and contains -- $args[1] $argv
end

# True if the options are for one of these commands: before -- and once the
# command is one of them, or while there is no command yet.  spmctl refuses
# the options a command does not take.
function __spmctl_for
    not __spmctl_after_dashdash; or return 1
    set -l args (__spmctl_args)
    test (count $args) -eq 0; or contains -- $args[1] $argv
end

# True if one of these options is on the command line before --.
function __spmctl_has
    for a in (commandline -opc)
        test "$a" = --; and return 1
        contains -- $a $argv; and return 0
    end
    return 1
end

# The command line after --, completed as a command of its own.
function __spmctl_complete_command
    set -l cmd (commandline -opc)
    set -l i (contains -i -- -- $cmd)
    set -l line (string join ' ' -- $cmd[(math $i + 1)..-1])
    if test -n "$line"
        set line "$line "
    end
    complete -C "$line"(commandline -ct)
end

complete -c spmctl -f

# After --: the command that run runs.
complete -c spmctl -n __spmctl_after_dashdash -x -a '(__spmctl_complete_command)'

complete -c spmctl -n __spmctl_no_command -a list -d 'One row per node (default)'
complete -c spmctl -n __spmctl_no_command -a show -d 'Everything known about one node'
complete -c spmctl -n __spmctl_no_command -a online \
    -d 'Hand a dax device to the page allocator as a node'
complete -c spmctl -n __spmctl_no_command -a offline -d 'Take a dax device back'
complete -c spmctl -n __spmctl_no_command -a run \
    -d 'Run a command whose memory may come from some nodes'
complete -c spmctl -n __spmctl_no_command -a who \
    -d 'Processes with pages on spm, private or cpuless nodes'
complete -c spmctl -n '__spmctl_args_are show' -a '(__spmctl_nodes)' -d Node
complete -c spmctl -n '__spmctl_args_are online; or __spmctl_args_are offline' \
    -a '(__spmctl_daxdevs)'
complete -c spmctl -n '__spmctl_command_is who' -a '(__spmctl_nodelist)' -d 'Node list'

# Command options
complete -c spmctl -n '__spmctl_for online' -l spm -d 'Make the node SPM first (spm_node)'
complete -c spmctl -n '__spmctl_for online; and not __spmctl_has --normal' -l movable \
    -d 'Online into ZONE_MOVABLE (default)'
complete -c spmctl -n '__spmctl_for online; and not __spmctl_has --movable' -l normal \
    -d 'Online into ZONE_NORMAL'
complete -c spmctl -n '__spmctl_for run' -l nodes -x -a '(__spmctl_nodelist)' \
    -d 'The nodes the memory may come from'
complete -c spmctl -n '__spmctl_for run' -l policy -x -d 'Memory policy' -a '
    bind\t"Allocate only on the nodes (default)"
    preferred\t"Try the one node first"
    interleave\t"Spread pages over the nodes"'
complete -c spmctl -n '__spmctl_for online offline run' -l dry-run \
    -d 'Print what would be done, change nothing'
complete -c spmctl -n '__spmctl_command_is online offline run' -s n \
    -d 'Print what would be done, change nothing'

# Output options
complete -c spmctl -n '__spmctl_for list who' -s o -l output -x -a '(__spmctl_columns)' \
    -d 'Output columns (+LIST adds to the defaults)'
complete -c spmctl -n '__spmctl_for list who' -l output-all -d 'Output all columns'
complete -c spmctl -n '__spmctl_for list show who' -s b -l bytes -d 'Print sizes in bytes'
complete -c spmctl -n '__spmctl_for list who' -s n -l noheadings -d "Don't print headings"
complete -c spmctl -n '__spmctl_for list who' -s r -l raw -d 'Use the raw output format'
complete -c spmctl -n '__spmctl_for list show who online offline' -s J -l json \
    -d 'Use JSON output'

# Common options
complete -c spmctl -n 'not __spmctl_after_dashdash' -l sysroot -x \
    -a '(__fish_complete_directories)' -d 'Read /proc and /sys below DIR'
complete -c spmctl -n 'not __spmctl_after_dashdash' -s v -l verbose -d 'Say what is done'
complete -c spmctl -n 'not __spmctl_after_dashdash' -s h -l help -d 'Display help'
complete -c spmctl -n 'not __spmctl_after_dashdash' -s V -l version -d 'Display version'
