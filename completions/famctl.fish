function __famctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __famctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __famctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __famctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __famctl_parse_tokens -S
    set -l unparsed_tokens (__famctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'famctl'
        __famctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'list'
            __famctl_parse_subcommand 0 'sysfs-root=' 'backend=' 'r/region=' 'd/dev=' 'D/devices' 'R/regions' 'M/mappings' 'i/idle' 'u/human' 'version' 'h/help'
        case 'reconfigure-device'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'm/mode=' 'N/no-online' 'movable' 'no-movable' 'C/check-config' 'f/force' 's/size=' 'a/align=' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'busy-retries=' 'version' 'h/help'
        case 'online-memory'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'movable' 'no-movable' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'version' 'h/help'
        case 'offline-memory'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'version' 'h/help'
        case 'enable-device'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'version' 'h/help'
        case 'disable-device'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'busy-retries=' 'version' 'h/help'
        case 'create-device'
            __famctl_parse_subcommand 0 'sysfs-root=' 'backend=' 's/size=' 'a/align=' 'input=' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'version' 'h/help'
        case 'destroy-device'
            __famctl_parse_subcommand -r 1 'sysfs-root=' 'backend=' 'f/force' 'r/region=' 'u/human' 'v/verbose' 'dry-run' 'busy-retries=' 'version' 'h/help'
        case 'famfs'
            __famctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'mkfs'
                __famctl_parse_subcommand 1 'f/force' 'k/kill' 'l/loglen=' 'format-version=' 'uuid=' 'device-uuid=' 'device-name=' 'size=' 'dry-run' 'json' 'system-uuid-file=' 'M/set-daxmode' 'version' 'h/help'
            case 'fsck'
                __famctl_parse_subcommand 1 'u/human' 'v/verbose' 'B/nbuckets=' 'json' 'system-uuid-file=' 'M/set-daxmode' 'version' 'h/help'
            case 'logplay'
                __famctl_parse_subcommand 2 'n/dry-run' 'v/verbose' 'c/client' 'shadow=' 'into=' 'shadowtest' 'json' 'system-uuid-file=' 'M/set-daxmode' 'version' 'h/help'
            case 'mkdir'
                __famctl_parse_subcommand -r 2 'p/parents' 'm/mode=' 'u/uid=' 'g/gid=' 'system-uuid-file=' 'M/set-daxmode' 'version' 'h/help'
            case 'creat'
                __famctl_parse_subcommand -r 2 's/size=' 'm/mode=' 'no-umask' 'u/uid=' 'g/gid=' 'N=' 'B=' 'C=' 'seed=' 'manifest=' 'system-uuid-file=' 'M/set-daxmode' 'version' 'h/help'
            end
        case 'help'
            __famctl_parse_subcommand -r 1 'version'
        end
    end
end

function __famctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __famctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __famctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __famctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__famctl_tokens -p)
    if test -z "$(__famctl_tokens -t)"
        set -l index (count (__famctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'famctl' -f
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'list' -d 'List dax regions and devices as JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'reconfigure-device' -d 'Switch dax devices among devdax, system-ram and famfs modes.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'online-memory' -d 'Online the memory of a system-ram dax device.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'offline-memory' -d 'Offline the memory of a system-ram dax device.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'enable-device' -d 'Enable dax devices in devdax mode.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'disable-device' -d 'Disable dax devices.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'create-device' -d 'Create a dax device in a dynamic region.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'destroy-device' -d 'Destroy dax devices of a dynamic region.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'famfs' -d 'Create, check and populate famfs file systems on dax devices and image files.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" r region' -s 'r' -l 'region' -d 'Filter by region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion list -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" d dev' -s 'd' -l 'dev' -d 'Filter by device: daxX.Y, X.Y or all.' -rfka '(__famctl_custom_completion ---completion list -- --dev (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" D devices' -s 'D' -l 'devices' -d 'Include devices.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" R regions' -s 'R' -l 'regions' -d 'Include regions.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" M mappings' -s 'M' -l 'mappings' -d 'Include each device\'s physical mappings.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" i idle' -s 'i' -l 'idle' -d 'Include idle (size 0) devices.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" human u' -s 'u' -l 'human' -d 'Human-readable sizes and hexadecimal addresses.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" m mode' -s 'm' -l 'mode' -d 'devdax, system-ram or famfs.' -rfka 'devdax system-ram famfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" N no-online' -s 'N' -l 'no-online' -d 'system-ram: hot-plug the memory but do not online it.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" movable' -l 'movable' -d 'Online memory as movable (online_movable, ZONE_MOVABLE), so it can be offlined again.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" no-movable' -l 'no-movable' -d 'Online memory as plain online: the kernel picks the zone, usually ZONE_NORMAL, where it may not offline again.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" C check-config' -s 'C' -l 'check-config' -d 'Take mode, online and movable from the [reconfigure-device] section of /etc/daxctl.conf.d/*.conf whose nvdimm.uuid is the device\'s namespace (as ndctl list shows it); no section: nothing changed.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" f force' -s 'f' -l 'force' -d 'Offline online memory before leaving system-ram; ignore the auto-online policy.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" s size' -s 's' -l 'size' -d 'Resize a disabled device of a dynamic region (takes precedence over -m; no JSON).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" a align' -s 'a' -l 'align' -d 'Set the alignment of a disabled device (4k, 2m, 1g; takes precedence over -m).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion reconfigure-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl reconfigure-device" -ge 1' -fka '(__famctl_custom_completion ---completion reconfigure-device -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" busy-retries' -l 'busy-retries' -d 'Retry an unbind that reports EBUSY this many times, 1 s apart (sysfs backend).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" movable' -l 'movable' -d 'Online memory as movable (online_movable, ZONE_MOVABLE), so it can be offlined again.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" no-movable' -l 'no-movable' -d 'Online memory as plain online: the kernel picks the zone, usually ZONE_NORMAL, where it may not offline again.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion online-memory -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl online-memory" -ge 1' -fka '(__famctl_custom_completion ---completion online-memory -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion offline-memory -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl offline-memory" -ge 1' -fka '(__famctl_custom_completion ---completion offline-memory -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion enable-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl enable-device" -ge 1' -fka '(__famctl_custom_completion ---completion enable-device -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion disable-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl disable-device" -ge 1' -fka '(__famctl_custom_completion ---completion disable-device -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" busy-retries' -l 'busy-retries' -d 'Retry an unbind that reports EBUSY this many times, 1 s apart (sysfs backend).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" s size' -s 's' -l 'size' -d 'Size: bytes, 0x…, or with k/m/g/t (powers of 1024).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" a align' -s 'a' -l 'align' -d 'Alignment: 4k, 2m or 1g.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" input' -l 'input' -d 'A JSON file with one device object (chardev, mappings).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'json\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion create-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" sysfs-root' -l 'sysfs-root' -d 'The directory that stands for /sys (default: $FAMCTL_SYSFS_ROOT, else /sys). With another root famctl never touches the real /sys, /dev or modules; the root must hold bus/dax or devices/system/memory; an attribute that is a symbolic link is never read or written, nor a write made through a linked directory. The busy-device guard then reads $FAMCTL_PROC_ROOT, else the proc beside a root named sys (M/sys: M/proc), else no processes.' -rfa '(__famctl_complete_directories)'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" backend' -l 'backend' -d 'auto, libdaxctl or sysfs. auto is libdaxctl for the commands that change devices on the host\'s /sys, sysfs otherwise and for list. libdaxctl works only on the host\'s /sys; both give the same JSON.' -rfka 'auto libdaxctl sysfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" f force' -s 'f' -l 'force' -d 'Disable the device before destroying it.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" r region' -s 'r' -l 'region' -d 'Only this region: N, regionN or all.' -rfka '(__famctl_custom_completion ---completion destroy-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" human u' -s 'u' -l 'human' -d 'Human-readable sizes in the JSON.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" v verbose' -s 'v' -l 'verbose' -d 'Print each sysfs write made (with --backend libdaxctl, each libdaxctl call in place of a driver\'s writes).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" dry-run' -l 'dry-run' -d 'Print the sysfs writes (libdaxctl calls, with that backend) that would be made, in order, and change nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl destroy-device" -ge 1' -fka '(__famctl_custom_completion ---completion destroy-device -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" busy-retries' -l 'busy-retries' -d 'Retry an unbind that reports EBUSY this many times, 1 s apart (sysfs backend).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'mkfs' -d 'Format a dax device, pmem block device or image file as famfs.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'fsck' -d 'Check a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'logplay' -d 'Replay the famfs metadata log into a directory tree.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'mkdir' -d 'Create directories in a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'creat' -d 'Create and allocate files in a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" f force' -l 'force' -s 'f' -d 'Overwrite an existing famfs superblock (any version or owner).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" k kill' -l 'kill' -s 'k' -d 'With --force: invalidate the superblock\'s magic only.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" l loglen' -s 'l' -l 'loglen' -d 'Log length: a power of two, at least 8m (k/m/g suffixes).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" format-version' -l 'format-version' -d 'Superblock version: 48 (OMF 2.2) or 47 (OMF 2.1).' -rfka '47 48'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" uuid' -l 'uuid' -d 'File system UUID (default: random).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" device-uuid' -l 'device-uuid' -d 'Device UUID (default: random).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" device-name' -l 'device-name' -d 'Name recorded in the superblock (default: the target as given).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" size' -l 'size' -d 'Create the image file with this size (sparse), or grow an empty one.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" dry-run' -l 'dry-run' -d 'Check and print what would be written; write nothing.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" json' -l 'json' -d 'Print the outcome as one JSON object.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" system-uuid-file' -l 'system-uuid-file' -d 'This host\'s system UUID file (env FAMCTL_SYSTEM_UUID_FILE).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" M set-daxmode' -s 'M' -l 'set-daxmode' -d 'Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (240) while a process holds the device or it is mounted.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs mkfs" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" human u' -s 'u' -l 'human' -d 'Print sizes in GiB.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" v verbose' -l 'verbose' -s 'v' -d 'Add the layout constants block.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" B nbuckets' -s 'B' -l 'nbuckets' -d 'Add usage statistics for N interleave buckets (1-64).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" json' -l 'json' -d 'Print the report as one JSON object.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" system-uuid-file' -l 'system-uuid-file' -d 'This host\'s system UUID file (env FAMCTL_SYSTEM_UUID_FILE).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" M set-daxmode' -s 'M' -l 'set-daxmode' -d 'Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (240) while a process holds the device or it is mounted.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs fsck" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" dry-run n' -s 'n' -l 'dry-run' -d 'Validate and report what a replay into an empty directory would create.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay"' -l 'verbose' -s 'v' -d 'Per-entry lines (-vv: extents of simple files too).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" c client' -l 'client' -s 'c' -d 'Replay as a client: files without write bits (the default on a host that does not own the file system).'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" shadow' -l 'shadow' -d 'Write shadow YAML files under DIR/root.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" into' -l 'into' -d 'Create the tree with empty placeholder files under DIR.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" shadowtest' -l 'shadowtest' -d 'With --shadow: read every shadow YAML back and compare it with its log entry.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" json' -l 'json' -d 'Print the result as JSON instead of the text summary.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" system-uuid-file' -l 'system-uuid-file' -d 'This host\'s system UUID file (env FAMCTL_SYSTEM_UUID_FILE).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" M set-daxmode' -s 'M' -l 'set-daxmode' -d 'Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (240) while a process holds the device or it is mounted.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs logplay" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" p parents' -l 'parents' -s 'p' -d 'Create missing parent directories (parents first); an existing directory is not an error.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" m mode' -l 'mode' -s 'm' -d 'Mode in octal digits, 0 to 07777 (setuid 04000, setgid 02000 and sticky 01000 included).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" u uid' -l 'uid' -s 'u' -d 'Owner uid (default: the caller\'s); decimal, 0x hex or 0 octal, as upstream reads it (010 is 8).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" g gid' -l 'gid' -s 'g' -d 'Owner gid (default: the caller\'s), written as the uid is.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" system-uuid-file' -l 'system-uuid-file' -d 'This host\'s system UUID file (env FAMCTL_SYSTEM_UUID_FILE).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" M set-daxmode' -s 'M' -l 'set-daxmode' -d 'Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (240) while a process holds the device or it is mounted.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs mkdir" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" s size' -l 'size' -s 's' -d 'File size: decimal, 0x hex or 0 octal (as upstream reads it: 010 is 8) with an optional k, m, g or t suffix.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" m mode' -l 'mode' -s 'm' -d 'Mode in octal digits, 0 to 07777 (setuid 04000, setgid 02000 and sticky 01000 included), reduced by the umask.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" no-umask' -l 'no-umask' -d 'Do not reduce the mode by the umask.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" u uid' -l 'uid' -s 'u' -d 'Owner uid (default: the caller\'s); decimal, 0x hex or 0 octal, as upstream reads it (010 is 8).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" g gid' -l 'gid' -s 'g' -d 'Owner gid (default: the caller\'s), written as the uid is.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" N' -s 'N' -d 'Interleave: number of strips (1-16, read as -u is); no default, and -B is needed with it.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" B' -s 'B' -d 'Interleave: number of buckets the device is divided into (1-64, read as -u is); no default, and -N is needed with it.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" C' -s 'C' -d 'Interleave: chunk size, a size as for -s (default 2m); needs -N and -B.' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" seed' -l 'seed' -d 'Seed for the interleave bucket order (default: random, as upstream).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" manifest' -l 'manifest' -d 'File with one `path size [mode uid gid]` per line (a pipe or FIFO too; - for standard input).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" system-uuid-file' -l 'system-uuid-file' -d 'This host\'s system UUID file (env FAMCTL_SYSTEM_UUID_FILE).' -rfka ''
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" M set-daxmode' -s 'M' -l 'set-daxmode' -d 'Dax device in famfs mode: switch it to devdax, do the work, switch it back to famfs (devdax device: switch it to famfs afterwards). Refused (240) while a process holds the device or it is mounted.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs creat" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl help" version' -l 'version' -d 'Show the version.'
