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
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'reconfigure-device'
            __famctl_parse_subcommand -r 1 'm/mode=' 'r/region=' 'version' 'h/help'
        case 'online-memory'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'offline-memory'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'enable-device'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'disable-device'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'create-device'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'destroy-device'
            __famctl_parse_subcommand 0 'version' 'h/help'
        case 'famfs'
            __famctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'mkfs'
                __famctl_parse_subcommand 1 'version' 'h/help'
            case 'fsck'
                __famctl_parse_subcommand 1 'version' 'h/help'
            case 'logplay'
                __famctl_parse_subcommand 1 'version' 'h/help'
            case 'mkdir'
                __famctl_parse_subcommand 1 'version' 'h/help'
            case 'creat'
                __famctl_parse_subcommand 1 'version' 'h/help'
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
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'enable-device' -d 'Enable a dax device.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'disable-device' -d 'Disable a dax device.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'create-device' -d 'Create a dax device in a dynamic region.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'destroy-device' -d 'Destroy a dax device.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'famfs' -d 'Create, check and populate famfs file systems on dax devices and image files.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" m mode' -l 'mode' -s 'm' -d 'Mode to switch to.' -rfka 'devdax system-ram famfs'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" r region' -l 'region' -s 'r' -d 'Only devices in this region.' -rfka '(__famctl_custom_completion ---completion reconfigure-device -- --region (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl reconfigure-device" -ge 1' -fka '(__famctl_custom_completion ---completion reconfigure-device -- positional@0 (count (__famctl_tokens -pc)) (__famctl_tokens -tC))'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl reconfigure-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl online-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl offline-memory" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl enable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl disable-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl create-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl destroy-device" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'mkfs' -d 'Format a dax device or image file as famfs.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'fsck' -d 'Check a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'logplay' -d 'Replay the famfs metadata log into a directory tree.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'mkdir' -d 'Create directories in a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs" -eq 1' -fa 'creat' -d 'Create and allocate files in a famfs file system.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs mkfs" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkfs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs fsck" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs fsck" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs logplay" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs logplay" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs mkdir" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs mkdir" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_positional "famctl famfs creat" -eq 1' -F
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" version' -l 'version' -d 'Show the version.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl famfs creat" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'famctl' -n '__famctl_should_offer_completions_for_flags_or_options "famctl help" version' -l 'version' -d 'Show the version.'
