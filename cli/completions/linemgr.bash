# bash completion for linemgr. Installed to share/bash-completion/completions/linemgr.
_linemgr() {
  local cur prev words cword
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  local commands="reconcile-all reconcile-unit apply explain manager-of listen webhooks config"
  local logging="--log-format --log-level --help"
  local source_flags="--snapshot --mo-url --token-file --ca-file --config --today"
  local reconcile_flags="$source_flags --dry-run --format --write-snapshot --fail-on-changes --detailed-exitcode --out --metrics-file --force --yes --max-changes --webhook-flush-timeout --quiet $logging"
  local apply_flags="$source_flags --format --write-snapshot --metrics-file --detailed-exitcode --force --yes --max-changes --webhook-flush-timeout --quiet $logging"

  case "$prev" in
    --snapshot|--config|--write-snapshot|--out|--metrics-file|--token-file|--ca-file|--amqp-ca-file)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    --log-level) COMPREPLY=($(compgen -W "DEBUG INFO WARN ERROR" -- "$cur")); return ;;
    --source) COMPREPLY=($(compgen -W "stdin amqp mo-events" -- "$cur")); return ;;
    --state) COMPREPLY=($(compgen -W "held pending failed delivering delivered dead" -- "$cur")); return ;;
  esac

  local command="" action="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "${COMP_WORDS[i]}" in
      -*) ;;
      *) if [[ -z "$command" ]]; then command="${COMP_WORDS[i]}"; elif [[ -z "$action" ]]; then action="${COMP_WORDS[i]}"; fi ;;
    esac
  done

  case "$command" in
    "") COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur")) ;;
    reconcile-all|reconcile-unit) COMPREPLY=($(compgen -W "$reconcile_flags" -- "$cur")) ;;
    apply) COMPREPLY=($(compgen -W "$apply_flags" -- "$cur")) ;;
    explain) COMPREPLY=($(compgen -W "$source_flags --format $logging" -- "$cur")) ;;
    manager-of) COMPREPLY=($(compgen -W "$source_flags --date --format $logging" -- "$cur")) ;;
    listen)
      COMPREPLY=($(compgen -W "$source_flags --source --listener-prefix --coalesce --dry-run --write-snapshot --format
        --amqp-url --amqp-queue --declare --dead-letter-exchange --prefetch --heartbeat --max-attempts --amqp-ca-file
        --webhook-flush-timeout --metrics-addr --full-every $logging" -- "$cur")) ;;
    webhooks)
      case "$action" in
        "") COMPREPLY=($(compgen -W "list test deliver deliveries replay" -- "$cur")) ;;
        list) COMPREPLY=($(compgen -W "--config --format $logging" -- "$cur")) ;;
        deliver) COMPREPLY=($(compgen -W "--config --timeout --format $logging" -- "$cur")) ;;
        deliveries) COMPREPLY=($(compgen -W "--config --state --limit --format $logging" -- "$cur")) ;;
        test|replay) COMPREPLY=($(compgen -W "--config $logging" -- "$cur")) ;;
      esac ;;
    config)
      case "$action" in
        "") COMPREPLY=($(compgen -W "show check" -- "$cur")) ;;
        show) COMPREPLY=($(compgen -W "--config --format $logging" -- "$cur")) ;;
        check) COMPREPLY=($(compgen -W "--config $logging" -- "$cur")) ;;
      esac ;;
  esac
}
complete -F _linemgr linemgr
