# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for damonctl(8)

# The --sysroot value already on the command line, or nothing.
function __damonctl_sysroot
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

# PIDs of the live system, or of the captured tree given with --sysroot.
function __damonctl_pids
    set -l root (__damonctl_sysroot)
    if test -z "$root"
        __fish_complete_pids
        return
    end
    for p in $root/proc/*/
        string match -r -- '(?<=/)[0-9]+(?=/$)' $p
    end
end

# The pids that kdamonds monitor (their targets' pid_target), for snapshot
# and record, whose --pid picks one of them.
function __damonctl_target_pids
    set -l kds (__damonctl_sysroot)/sys/kernel/mm/damon/admin/kdamonds
    for f in $kds/*/contexts/*/targets/*/pid_target
        set -l pid (cat $f 2>/dev/null)
        string match -qr -- '^[1-9][0-9]*$' "$pid"; and echo $pid
    end
end

# The kdamond indexes: the numbered directories under admin/kdamonds.
function __damonctl_kdamonds
    for d in (__damonctl_sysroot)/sys/kernel/mm/damon/admin/kdamonds/*/
        string match -r -- '(?<=/)[0-9]+(?=/$)' $d
    end
end

# The online nodes, one a line: node/online ("0-2,4") expanded.
function __damonctl_nodes
    set -l file (__damonctl_sysroot)/sys/devices/system/node/online
    test -r $file; or return
    for part in (string split , -- (string trim -- (cat $file)))
        if string match -qr -- '^[0-9]+-[0-9]+$' $part
            seq (string split - -- $part)
        else if string match -qr -- '^[0-9]+$' $part
            echo $part
        end
    end
end

# The words that are not options or option values: the command and its
# arguments, and nothing once -- is reached (the command that start runs).
set -g __damonctl_with_arg k kdamond p pid ops region numa-node spec sample aggr update \
    regions intervals-goal refresh addr-unit sample-primitive sample-filter a action \
    target-nid sz nr-accesses age apply-interval quota-time quota-size quota-reset \
    quota-weights quota-goal watermarks filter dest scheme bar-width o output i interval \
    d duration rows cols addr min-accesses sysroot

function __damonctl_args
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
            case '--*'
                contains -- (string sub -s 3 -- $a) $__damonctl_with_arg; and set skip 1
            case '-?'
                contains -- (string sub -s 2 -- $a) $__damonctl_with_arg; and set skip 1
            case '-*'
            case '*'
                echo $a
        end
    end
end

# True if the arguments so far are exactly these words.
function __damonctl_args_are
    set -l args (__damonctl_args)
    test "$args" = "$argv"
end

# True once -- is on the command line: start runs what follows.
function __damonctl_after_dashdash
    contains -- -- (commandline -opc)
end

function __damonctl_no_command
    not __damonctl_after_dashdash; and test (count (__damonctl_args)) -eq 0
end

function __damonctl_command_is
    not __damonctl_after_dashdash; or return 1
    set -l args (__damonctl_args)
    test (count $args) -ge 1; and contains -- $args[1] $argv
end

# The command line after --, completed as a command of its own.
function __damonctl_complete_command
    set -l cmd (commandline -opc)
    set -l i (contains -i -- -- $cmd)
    set -l line (string join ' ' -- $cmd[(math $i + 1)..-1])
    if test -n "$line"
        set line "$line "
    end
    complete -C "$line"(commandline -ct)
end

# True if the options are for one of these commands: before -- and once the
# command is one of them, or while there is no command yet.  damonctl
# refuses the options a command does not take.
function __damonctl_for
    not __damonctl_after_dashdash; or return 1
    set -l args (__damonctl_args)
    test (count $args) -eq 0; or contains -- $args[1] $argv
end

# True if one of these options is on the command line before --.
function __damonctl_has
    for a in (commandline -opc)
        test "$a" = --; and return 1
        for o in $argv
            if test "$a" = $o; or string match -q -- "$o=*" $a
                return 0
            else if string match -qr -- '^-[^-]$' $o; and string match -q -- "$o*" $a
                return 0
            end
        end
    end
    return 1
end

# The monitoring and scheme options, which --spec rules out.
set -g __damonctl_monitoring -p --pid --ops --region --numa-node --sample --aggr --update \
    --regions --intervals-goal --refresh --addr-unit --sample-primitive --sample-filter \
    --no-snapshot-scheme -a --action --target-nid --sz --nr-accesses --age --apply-interval \
    --quota-time --quota-size --quota-reset --quota-weights --quota-goal --watermarks --filter \
    --dest

# True for the options of start and tune that --spec rules out: while there
# is no --spec.
function __damonctl_no_spec
    __damonctl_for start tune; and not __damonctl_has --spec
end

# [!]TYPE for --filter and --sample-filter: the types, after a ! already typed.
function __damonctl_filter_types
    set -l tok (commandline -ct | string replace -r -- '^--[a-z-]+=' '')
    set -l neg (string match -r -- '^!' $tok)
    for t in $argv
        printf '%s%s\n' "$neg" $t
    end
end

complete -c damonctl -f

# After --: the command that start runs.
complete -c damonctl -n __damonctl_after_dashdash -x -a '(__damonctl_complete_command)'

complete -c damonctl -n __damonctl_no_command -a status \
    -d 'Kdamonds, contexts, targets, schemes and stats'
complete -c damonctl -n __damonctl_no_command -a start \
    -d 'Start a kdamond: --pid PID, -- CMD ARGS, or paddr'
complete -c damonctl -n __damonctl_no_command -a tune -d 'Commit new attributes or schemes'
complete -c damonctl -n __damonctl_no_command -a stop -d 'Stop kdamonds damonctl started'
complete -c damonctl -n __damonctl_no_command -a snapshot \
    -d 'Regions with their access frequency and age'
complete -c damonctl -n __damonctl_no_command -a record -d 'Snapshots at an interval, JSON lines'
complete -c damonctl -n __damonctl_no_command -a report \
    -d 'Access heatmap or working-set size of a recording'
complete -c damonctl -n '__damonctl_args_are start' -a paddr -d 'The physical address space'
complete -c damonctl -n '__damonctl_command_is status stop' -a '(__damonctl_kdamonds)' \
    -d Kdamond
complete -c damonctl -n '__damonctl_args_are report' -a heatmap -d 'Access heatmap'
complete -c damonctl -n '__damonctl_args_are report' -a wss -d 'Working-set size distribution'
complete -c damonctl -n '__damonctl_args_are report heatmap; or __damonctl_args_are report wss' \
    -F -a - -d 'Recording (- for stdin)'

# Target options
complete -c damonctl -n '__damonctl_for status tune stop snapshot record' -s k -l kdamond -x \
    -a '(__damonctl_kdamonds)' -d 'The kdamond to work on'
complete -c damonctl -n '__damonctl_for start; and not __damonctl_has --spec' -s p -l pid -x \
    -a '(__damonctl_pids)' -d 'Monitor these processes'
complete -c damonctl -n '__damonctl_command_is snapshot record' -s p -l pid -x \
    -a '(__damonctl_target_pids)' -d 'Read the regions of this target'
complete -c damonctl -n '__damonctl_for start; and not __damonctl_has --spec' -l ops -x \
    -d 'Operations set' -a '
    vaddr\t"Virtual address spaces of processes"
    fvaddr\t"Fixed ranges of virtual address spaces"
    paddr\t"The physical address space"'
complete -c damonctl -n '__damonctl_for start; and not __damonctl_has --spec --numa-node' \
    -l region -x -d 'A monitoring region START-END (paddr, fvaddr)'
complete -c damonctl -n '__damonctl_for start; and not __damonctl_has --spec --region' \
    -l numa-node -x -a '(__damonctl_nodes)' -d 'Paddr: monitor this node (not with --region)'
complete -c damonctl -n '__damonctl_for start' -l include-children \
    -d "Also monitor the command's children"
complete -c damonctl \
    -n '__damonctl_for start tune; and not __damonctl_has --spec $__damonctl_monitoring' \
    -l spec -r -F -a - -d 'Configuration from a JSON file (- for stdin)'
complete -c damonctl -n '__damonctl_for status start tune stop snapshot record' -l force \
    -d 'Act on kdamonds damonctl did not start'
complete -c damonctl -n '__damonctl_for start tune stop' -s n -l dry-run \
    -d 'Print the sysfs writes, write nothing'

# Monitoring options: start and tune, not with --spec
complete -c damonctl -n __damonctl_no_spec -l sample -x -d 'Sampling interval'
complete -c damonctl -n __damonctl_no_spec -l aggr -x -d 'Aggregation interval'
complete -c damonctl -n __damonctl_no_spec -l update -x -d 'Operations update interval'
complete -c damonctl -n __damonctl_no_spec -l regions -x \
    -d 'Minimum and maximum number of regions'
complete -c damonctl -n __damonctl_no_spec -l intervals-goal -x \
    -d 'Auto-tune the intervals (6.15)'
complete -c damonctl -n __damonctl_no_spec -l refresh -x \
    -d 'Let the kernel refresh stats this often, whole ms (6.17)'
complete -c damonctl -n __damonctl_no_spec -l addr-unit -x -d 'Address unit of paddr (6.18)'
complete -c damonctl -n __damonctl_no_spec -l sample-primitive -x \
    -d 'Experimental (RFC): sampling primitives' -a '
    page_table\t"Page table accessed bits"
    page_fault\t"Page faults"
    page_table,page_fault\t"Both"'
complete -c damonctl -n __damonctl_no_spec -l sample-filter -x \
    -d 'Experimental (RFC): sample only some accesses' \
    -a '(__damonctl_filter_types cpumask= threads= write)'
complete -c damonctl -n __damonctl_no_spec -l no-snapshot-scheme \
    -d 'No stat scheme for snapshots'

# Scheme options: start and tune, not with --spec
complete -c damonctl -n __damonctl_no_spec -s a -l action -x \
    -d 'Open a scheme with this action' -a '
    willneed\t"madvise MADV_WILLNEED"
    cold\t"madvise MADV_COLD"
    pageout\t"Page out"
    hugepage\t"madvise MADV_HUGEPAGE"
    nohugepage\t"madvise MADV_NOHUGEPAGE"
    lru_prio\t"Prioritize on the LRU lists (6.0)"
    lru_deprio\t"Deprioritize on the LRU lists (6.0)"
    migrate_hot\t"Migrate, warmer first (6.11)"
    migrate_cold\t"Migrate, colder first (6.11)"
    stat\t"Do nothing but count"'
complete -c damonctl -n __damonctl_no_spec -l target-nid -x -a '(__damonctl_nodes)' \
    -d 'Node for migrate_hot/migrate_cold (6.11)'
complete -c damonctl -n __damonctl_no_spec -l sz -x -d 'Region size range MIN,MAX'
complete -c damonctl -n __damonctl_no_spec -l nr-accesses -x \
    -d 'Access frequency range (counts or %)'
complete -c damonctl -n __damonctl_no_spec -l age -x \
    -d 'Age range (aggregation intervals or durations)'
complete -c damonctl -n __damonctl_no_spec -l apply-interval -x \
    -d 'Apply the action this often (6.7)'
complete -c damonctl -n __damonctl_no_spec -l quota-time -x -d 'Time quota, whole ms'
complete -c damonctl -n __damonctl_no_spec -l quota-size -x -d 'Size quota'
complete -c damonctl -n __damonctl_no_spec -l quota-reset -x \
    -d 'Quota reset interval, whole ms'
complete -c damonctl -n __damonctl_no_spec -l quota-weights -x \
    -d 'Prioritisation weights SZ,NR,AGE in permil'
complete -c damonctl -n __damonctl_no_spec -l quota-goal -x \
    -d 'Quota auto-tuning goal METRIC=VALUE (6.8)' -a '
    user_input=\t"A value the user feeds"
    some_mem_psi_us=\t"Memory pressure stall time"
    node_mem_used_bp=\t"Used memory of a node"
    node_mem_free_bp=\t"Free memory of a node"
    node_memcg_used_bp=\t"Memory of a node a cgroup uses"
    node_memcg_free_bp=\t"Memory of a node a cgroup does not use"
    active_mem_bp=\t"Active LRU memory"
    inactive_mem_bp=\t"Inactive LRU memory"'
complete -c damonctl -n __damonctl_no_spec -l watermarks -x \
    -d 'Activate by free memory METRIC,INTERVAL,HIGH,MID,LOW' -a '
    free_mem_rate,\t"Free memory in permil"
    none,\t"No watermarks"'
complete -c damonctl -n __damonctl_no_spec -l filter -x \
    -d '[!]TYPE[=ARG][:allow|:reject] (6.3)' \
    -a '(__damonctl_filter_types anon active young unmapped memcg= hugepage_size= addr= target=)'
complete -c damonctl -n __damonctl_no_spec -l dest -x -a '(__damonctl_nodes)' \
    -d 'Migration destination NODE[:WEIGHT]'

# Output options
complete -c damonctl -n '__damonctl_for snapshot record' -l scheme -x \
    -d "Read this scheme's tried regions"
complete -c damonctl -n '__damonctl_for snapshot' -l bar-width -x \
    -d 'Snapshot: width of the heat bar (0: none)'
complete -c damonctl -n '__damonctl_for status snapshot report' -s b -l bytes \
    -d 'Print sizes in bytes'
complete -c damonctl -n '__damonctl_for record' -s o -l output -r -F -a - \
    -d 'Record: the file (- for stdout)'
complete -c damonctl -n '__damonctl_for record' -s i -l interval -x \
    -d 'Record: time between snapshots'
complete -c damonctl -n '__damonctl_for record' -s d -l duration -x \
    -d 'Record: stop after this long'
complete -c damonctl -n '__damonctl_for report' -l rows -x -d 'Heatmap: time rows'
complete -c damonctl -n '__damonctl_for report' -l cols -x -d 'Heatmap: address columns'
complete -c damonctl -n '__damonctl_for report' -l addr -x -d 'Heatmap: the address range START-END'
complete -c damonctl -n '__damonctl_for report' -l min-accesses -x \
    -d 'Wss: a region counts from this nr_accesses'
complete -c damonctl -n '__damonctl_for status start snapshot report' -s J -l json \
    -d 'JSON output'

# Common options
complete -c damonctl -n 'not __damonctl_after_dashdash' -l sysroot -x \
    -a '(__fish_complete_directories)' -d 'Read /proc and /sys below DIR'
complete -c damonctl -n 'not __damonctl_after_dashdash' -s v -l verbose -d 'Say what is done'
complete -c damonctl -n 'not __damonctl_after_dashdash' -s h -l help -d 'Display help'
complete -c damonctl -n 'not __damonctl_after_dashdash' -s V -l version -d 'Display version'
