#!/bin/bash

__famctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__famctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__famctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__famctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_famctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __famctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|reconfigure-device|online-memory|offline-memory|enable-device|disable-device|create-device|destroy-device|famfs|help)
        # Offer subcommand argument completions
        "_famctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list reconfigure-device online-memory offline-memory enable-device disable-device create-device destroy-device famfs help' -- "${cur}"))
        ;;
    esac
}

_famctl_list() {
    repeating_flags=()
    non_repeating_flags=(-D --devices -R --regions -M --mappings -i --idle -u --human --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region -d --dev)
    __famctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion list -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    '-d'|'--dev')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion list -- --dev "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_reconfigure-device() {
    repeating_flags=()
    non_repeating_flags=(-N --no-online --movable --no-movable -C --check-config -f --force -u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -m --mode -s --size -a --align -r --region --busy-retries)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-m'|'--mode')
        __famctl_add_completions -W 'devdax'$'\n''system-ram'$'\n''famfs'
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '-a'|'--align')
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion reconfigure-device -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    '--busy-retries')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion reconfigure-device -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_online-memory() {
    repeating_flags=()
    non_repeating_flags=(--movable --no-movable -u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion online-memory -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion online-memory -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_offline-memory() {
    repeating_flags=()
    non_repeating_flags=(-u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion offline-memory -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion offline-memory -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_enable-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion enable-device -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion enable-device -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_disable-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region --busy-retries)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion disable-device -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    '--busy-retries')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion disable-device -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_create-device() {
    repeating_flags=()
    non_repeating_flags=(-u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -s --size -a --align --input -r --region)
    __famctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-s'|'--size')
        return
        ;;
    '-a'|'--align')
        return
        ;;
    '--input')
        __famctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion create-device -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_destroy-device() {
    repeating_flags=()
    non_repeating_flags=(-f --force -u --human -v --verbose --dry-run --version -h --help)
    repeating_options=()
    non_repeating_options=(--sysfs-root --backend -r --region --busy-retries)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--sysfs-root')
        __famctl_add_completions -d
        return
        ;;
    '--backend')
        __famctl_add_completions -W 'auto'$'\n''libdaxctl'$'\n''sysfs'
        return
        ;;
    '-r'|'--region')
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion destroy-device -- --region "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    '--busy-retries')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __famctl_add_completions -W "$(__famctl_custom_complete ---completion destroy-device -- positional@0 "${COMP_CWORD}" "$(__famctl_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_famctl_famfs() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __famctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    mkfs|fsck|logplay|mkdir|creat)
        # Offer subcommand argument completions
        "_famctl_famfs_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'mkfs fsck logplay mkdir creat' -- "${cur}"))
        ;;
    esac
}

_famctl_famfs_mkfs() {
    repeating_flags=()
    non_repeating_flags=(--force -f --kill -k --dry-run --json -M --set-daxmode --version -h --help)
    repeating_options=()
    non_repeating_options=(-l --loglen --format-version --uuid --device-uuid --device-name --size --system-uuid-file)
    __famctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-l'|'--loglen')
        return
        ;;
    '--format-version')
        __famctl_add_completions -W '47'$'\n''48'
        return
        ;;
    '--uuid')
        return
        ;;
    '--device-uuid')
        return
        ;;
    '--device-name')
        return
        ;;
    '--size')
        return
        ;;
    '--system-uuid-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __famctl_add_completions -f
        return
        ;;
    esac
}

_famctl_famfs_fsck() {
    repeating_flags=()
    non_repeating_flags=(-u --human --verbose -v --json -M --set-daxmode --version -h --help)
    repeating_options=()
    non_repeating_options=(-B --nbuckets --system-uuid-file)
    __famctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-B'|'--nbuckets')
        return
        ;;
    '--system-uuid-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __famctl_add_completions -f
        return
        ;;
    esac
}

_famctl_famfs_logplay() {
    repeating_flags=(--verbose -v)
    non_repeating_flags=(-n --dry-run --client -c --shadowtest --json -M --set-daxmode --version -h --help)
    repeating_options=()
    non_repeating_options=(--shadow --into --system-uuid-file)
    __famctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--shadow')
        return
        ;;
    '--into')
        return
        ;;
    '--system-uuid-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __famctl_add_completions -f
        return
        ;;
    esac
}

_famctl_famfs_mkdir() {
    repeating_flags=()
    non_repeating_flags=(--parents -p -M --set-daxmode --version -h --help)
    repeating_options=()
    non_repeating_options=(--mode -m --uid -u --gid -g --system-uuid-file)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--mode'|'-m')
        return
        ;;
    '--uid'|'-u')
        return
        ;;
    '--gid'|'-g')
        return
        ;;
    '--system-uuid-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __famctl_add_completions -f
        return
        ;;
    esac
}

_famctl_famfs_creat() {
    repeating_flags=()
    non_repeating_flags=(--no-umask -M --set-daxmode --version -h --help)
    repeating_options=()
    non_repeating_options=(--size -s --mode -m --uid -u --gid -g -N -B -C --seed --manifest --system-uuid-file)
    __famctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--size'|'-s')
        return
        ;;
    '--mode'|'-m')
        return
        ;;
    '--uid'|'-u')
        return
        ;;
    '--gid'|'-g')
        return
        ;;
    '-N')
        return
        ;;
    '-B')
        return
        ;;
    '-C')
        return
        ;;
    '--seed')
        return
        ;;
    '--manifest')
        return
        ;;
    '--system-uuid-file')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __famctl_add_completions -f
        return
        ;;
    esac
}

_famctl_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __famctl_offer_flags_options -1
}

complete -o filenames -F _famctl famctl
