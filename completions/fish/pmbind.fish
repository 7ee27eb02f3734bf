# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for pmbind(8)

# The --sysroot value already on the command line, or nothing.
function __pmbind_sysroot
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
function __pmbind_pids
    set -l root (__pmbind_sysroot)
    if test -z "$root"
        __fish_complete_pids
        return
    end
    for p in $root/proc/*/
        string match -r -- '(?<=/)[0-9]+(?=/$)' $p
    end
end

# The online nodes, one a line: node/online ("0-2,4") expanded.
function __pmbind_online_nodes
    set -l file (__pmbind_sysroot)/sys/devices/system/node/online
    test -r $file; or return
    for part in (string split , -- (string trim -- (cat $file)))
        if string match -qr -- '^[0-9]+-[0-9]+$' $part
            seq (string split - -- $part)
        else if string match -qr -- '^[0-9]+$' $part
            echo $part
        end
    end
end

# A node list in numactl's grammar: complete the part after the last ',',
# '!', '+' or '-'; `all` only as the whole list.
function __pmbind_nodes
    set -l tok (commandline -ct | string replace -r -- '^(-[miwP]|--[a-z-]+=)' '')
    set -l prefix (string match -r -- '^.*[,!+-]' $tok)
    test -z "$prefix"; and echo all
    for n in (__pmbind_online_nodes)
        printf '%s%s\n' "$prefix" $n
    end
end

complete -c pmbind -f

complete -c pmbind -s p -l pid -x -a '(__pmbind_pids)' -d 'Target process'
complete -c pmbind -l pidfd -x -d 'Target of an inherited pidfd'
complete -c pmbind -l ranges-from -r -F -a - -d 'Read ranges from FILE (- for stdin)'
complete -c pmbind -l vma -r -F -a '[heap] [stack] anon' -d 'Add the VMAs that match'
complete -c pmbind -l all -d 'Add every VMA'

complete -c pmbind -s m -l membind -x -a '(__pmbind_nodes)' -d 'Allocate only on NODES'
complete -c pmbind -s i -l interleave -x -a '(__pmbind_nodes)' -d 'Interleave over NODES'
complete -c pmbind -s w -l weighted-interleave -x -a '(__pmbind_nodes)' \
    -d 'Weighted interleave over NODES (6.9)'
complete -c pmbind -l preferred -x -a '(__pmbind_online_nodes)' -d 'Prefer NODE'
complete -c pmbind -s P -l preferred-many -x -a '(__pmbind_nodes)' -d 'Prefer NODES (5.15)'
complete -c pmbind -s l -l localalloc -d "Allocate on the faulting CPU's node"
complete -c pmbind -l default -d "Remove the range's policy"

complete -c pmbind -l static -d MPOL_F_STATIC_NODES
complete -c pmbind -l relative -d MPOL_F_RELATIVE_NODES
complete -c pmbind -l spm -d 'MPOL_F_SPM_NODE (needs --static)'
complete -c pmbind -l move -d 'Move the pages already there'
complete -c pmbind -l move-all -d 'Move shared pages too'
complete -c pmbind -l strict -d 'Fail if pages are not on the nodes'

complete -c pmbind -l method -x -d Method -a '
    auto\t"syscall if the kernel has it, else ptrace, else migrate"
    syscall\t"process_mbind (RFC, patched kernel)"
    ptrace\t"mbind run inside the target: sets the policy"
    migrate\t"move_pages of present pages: sets no policy"'
complete -c pmbind -l syscall-nr -x -d 'process_mbind number of this kernel'
complete -c pmbind -l show -d 'Show the policy and pages per node of each VMA'
complete -c pmbind -l dry-run -d 'Print what would be done, change nothing'
complete -c pmbind -s J -l json -d 'JSON output'
complete -c pmbind -l sysroot -x -a '(__fish_complete_directories)' \
    -d 'Read /proc below DIR (--show, --dry-run)'
complete -c pmbind -s v -l verbose -d 'Say what is done'
complete -c pmbind -s h -l help -d 'Display help'
complete -c pmbind -s V -l version -d 'Display version'
