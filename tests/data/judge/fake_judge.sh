#!/bin/sh
# A fake LLM judge command for tests: reads the prompt on stdin, answers by mode.
#   fake_judge.sh MODE [PROMPT_COPY]
# MODE: alert | ignore | garbage | prose (JSON inside prose and a code fence) | sleep | fail
mode="$1"
if [ -n "$2" ]; then cat > "$2"; else cat > /dev/null; fi
case "$mode" in
  alert)   echo '{"action": "alert", "severity": "critical", "syndrome": "Reward Collapse!", "message": "reward fell to 0 and stayed there", "choices": ["Ignore", "Stop Job"], "reason": "flat zero reward for 300 steps"}' ;;
  ignore)  echo '{"action": "ignore", "reason": "loss decreasing normally"}' ;;
  garbage) echo 'I am not sure what you mean {"action": "maybe"' ;;
  prose)   printf 'Sure! Here is my verdict:\n```json\n{"action": "alert", "message": "loss {stuck} at 2.3", "choices": ["Reboot the cluster"]}\n```\nHope it helps {really}.\n' ;;
  sleep)   sleep 5; echo '{"action": "ignore"}' ;;
  fail)    echo 'model unavailable' >&2; exit 3 ;;
  *)       echo "unknown mode $mode" >&2; exit 64 ;;
esac
