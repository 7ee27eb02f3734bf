# SPDX-License-Identifier: GPL-2.0-or-later
# fish completion for mapsdump(1)

# -o LIST: complete the last element of a comma-separated list.
function __mapsdump_columns
    set -l tok (commandline -ct | string replace -r -- '^(-o|--output=)' '')
    set -l prefix (string match -r -- '^.*,' $tok)
    set -l seen (string split , -- (string upper -- $prefix))
    for col in PID START END SIZE PERMS OFFSET DEV INODE NAME PAGESIZE BUILDID \
        POLICY NODES ANON DIRTY MAPPED KPAGESIZE
        contains -- $col $seen; or printf '%s%s\n' "$prefix" $col
    end
end

# PIDs of the live system, or of the captured tree given with --sysroot.
function __mapsdump_pids
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

# --self and --pidfd name the target: no PID to add.
function __mapsdump_wants_pid
    not string match -qr -- '^--(self|pidfd)(=|$)' (commandline -opc)
end

complete -c mapsdump -f
complete -c mapsdump -n __mapsdump_wants_pid -a '(__mapsdump_pids)'

complete -c mapsdump -l method -x -d Backend -a '
    auto\t"ioctl if the kernel has it, else text"
    ioctl\t"PROCMAP_QUERY (Linux 6.11+)"
    text\t"parse /proc/PID/maps"'
complete -c mapsdump -s J -l json -d 'JSON output'
complete -c mapsdump -s o -l output -x -a '(__mapsdump_columns)' -d 'Table with these columns'
complete -c mapsdump -l output-all -d 'Table with every column'
complete -c mapsdump -s r -l raw -d 'Raw table'
complete -c mapsdump -s n -l noheadings -d 'No header line'
complete -c mapsdump -s b -l bytes -d 'Sizes in bytes'
complete -c mapsdump -l ranges -d 'Print 0xSTART-0xEND lines only'
complete -c mapsdump -l build-id -d 'ELF build ID of file-backed VMAs'
complete -c mapsdump -l numa -d 'Pages per node and policy from numa_maps'
complete -c mapsdump -l perm -x -d 'Select VMAs by permissions' \
    -a 'r-xp r--p rw-p rw-s r--s ---p r w x s p'
complete -c mapsdump -l file -d 'Select file-backed VMAs'
complete -c mapsdump -l anon -d 'Select anonymous VMAs'
complete -c mapsdump -l name -x -d 'Select VMAs by name (glob)' \
    -a '[heap] [stack] [vdso] [vvar] [vsyscall]'
complete -c mapsdump -l addr -x -d 'Select the VMA covering an address (hex)'
complete -c mapsdump -l check -d 'Report torn reads, exit 3 if any'
complete -c mapsdump -l self -d 'Dump mapsdump itself'
complete -c mapsdump -l pidfd -x -d 'Dump the process of an inherited pidfd'
complete -c mapsdump -l sysroot -x -a '(__fish_complete_directories)' -d 'Read /proc below DIR'
complete -c mapsdump -s v -l verbose -d 'Say what is done'
complete -c mapsdump -s h -l help -d 'Display help'
complete -c mapsdump -s V -l version -d 'Display version'
