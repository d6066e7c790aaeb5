// Which GPUs a shell command asks for: a small evaluator of the parts of the
// shell language that set environment variables (prefix assignments, `env`,
// `export`, `unset`, quotes, `$VAR`, `sh -c`), enough to know the
// CUDA_VISIBLE_DEVICES and CUDA_DEVICE_ORDER the command's program sees.
#include <unistd.h>

#include <algorithm>
#include <map>

#include "sidecar/core/detail/strings.h"
#include "sidecar/gpu.h"

extern char** environ;

namespace sidecar {
namespace {

constexpr int kMaxDepth = 4;  // nested `sh -c '…'`
// Bounds that keep a hostile or generated command cheap to follow (doubling
// `A=$A$A` expansions, thousands of exports): no real launch line comes near.
constexpr std::size_t kMaxValueBytes = 4096;  // one variable's value
constexpr std::size_t kMaxVariables = 1024;   // beyond the inherited ones only request variables are set
constexpr std::size_t kMaxCommands = 1000;    // simple commands followed, nested ones included

// One piece of a word: literal text, a variable reference, or something the
// shell computes at run time ($(…), `…`, $((…)), ~…).
struct Part {
  enum Kind { kLiteral, kVar, kUnknown } kind = kLiteral;
  std::string text;
};

struct Word {
  std::vector<Part> parts;
  std::string assign_name;  // NAME when the word is an unquoted NAME=… assignment
};

struct Token {
  bool is_op = false;  // a command separator (; && || | & ( ) newline)
  Word word;
};

bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_meta(char c) { return c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '\n'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (is_blank(c) || c == '\r') {
        ++i_;
        continue;
      }
      if (c == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') {  // line continuation
        i_ += 2;
        continue;
      }
      if (c == '#') {  // a comment runs to the end of the line
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
        continue;
      }
      if (is_meta(c)) {
        ++i_;
        while (i_ < s_.size() && (s_[i_] == '&' || s_[i_] == '|') && (c == '&' || c == '|')) ++i_;
        out.push_back(Token{true, {}});
        continue;
      }
      if (redirect()) continue;
      out.push_back(Token{false, word()});
    }
    return out;
  }

 private:
  // Skips a redirection ("2>&1", "> out.log", "<in", ">>log") and its target.
  bool redirect() {
    std::size_t j = i_;
    while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9') ++j;
    if (j >= s_.size() || (s_[j] != '<' && s_[j] != '>')) return false;
    while (j < s_.size() && (s_[j] == '<' || s_[j] == '>')) ++j;
    if (j < s_.size() && (s_[j] == '&' || s_[j] == '|')) {
      ++j;
      if (s_[j - 1] == '&' && j < s_.size() && (s_[j] == '-' || (s_[j] >= '0' && s_[j] <= '9'))) {
        while (j < s_.size() && !is_blank(s_[j]) && !is_meta(s_[j])) ++j;
        i_ = j;
        return true;
      }
    }
    i_ = j;
    while (i_ < s_.size() && is_blank(s_[i_])) ++i_;
    if (i_ < s_.size() && !is_meta(s_[i_])) (void)word();  // the target file
    return true;
  }

  void literal(Word& w, char c) {
    if (w.parts.empty() || w.parts.back().kind != Part::kLiteral) w.parts.push_back({Part::kLiteral, {}});
    w.parts.back().text += c;
  }

  // Skips a balanced $(…) / $((…)) / `…` and records it as unknown.
  void unknown(Word& w, char open, char close, std::size_t opener_len) {
    int depth = 1;
    std::size_t start = i_ - opener_len;
    while (i_ < s_.size() && depth > 0) {
      char c = s_[i_++];
      if (c == '\\' && i_ < s_.size()) {
        ++i_;
        continue;
      }
      if (open != close && c == open) ++depth;
      if (c == close) --depth;
    }
    w.parts.push_back({Part::kUnknown, std::string(s_.substr(start, i_ - start))});
  }

  // After a '$' (already consumed).
  void dollar(Word& w) {
    if (i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      unknown(w, '(', ')', 2);
      return;
    }
    if (i_ < s_.size() && s_[i_] == '{') {
      std::size_t close = s_.find('}', i_);
      if (close == std::string_view::npos) close = s_.size();
      std::string_view inner = s_.substr(i_ + 1, close - i_ - 1);
      i_ = std::min(close + 1, s_.size());
      bool plain = !inner.empty() && is_name_start(inner[0]) &&
                   std::all_of(inner.begin(), inner.end(), [](char c) { return is_name_char(c); });
      w.parts.push_back(
          {plain ? Part::kVar : Part::kUnknown, std::string(plain ? inner : "${" + std::string(inner) + "}")});
      return;
    }
    if (i_ < s_.size() && is_name_start(s_[i_])) {
      std::size_t start = i_;
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
      w.parts.push_back({Part::kVar, std::string(s_.substr(start, i_ - start))});
      return;
    }
    if (i_ < s_.size() && (s_[i_] == '@' || s_[i_] == '*' || s_[i_] == '#' || s_[i_] == '?' || s_[i_] == '$' ||
                           (s_[i_] >= '0' && s_[i_] <= '9'))) {
      w.parts.push_back({Part::kUnknown, "$" + std::string(1, s_[i_])});
      ++i_;
      return;
    }
    literal(w, '$');
  }

  // A character with no quote or escape role (already consumed): '$' and '`'
  // start an expansion, the rest is literal. The same inside "..." and bare.
  void plain_char(Word& w, char c) {
    if (c == '$')
      dollar(w);
    else if (c == '`')
      unknown(w, '`', '`', 1);
    else
      literal(w, c);
  }

  Word word() {
    Word w;
    bool quoted_before_eq = false;
    std::size_t start = i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (is_blank(c) || is_meta(c) || c == '\r') break;
      if (c == '=' && w.assign_name.empty() && !quoted_before_eq) {
        std::string_view name = s_.substr(start, i_ - start);
        if (!name.empty() && is_name_start(name[0]) &&
            std::all_of(name.begin(), name.end(), [](char ch) { return is_name_char(ch); })) {
          w.assign_name = std::string(name);
          w.parts.clear();
          ++i_;
          w.parts.push_back({Part::kLiteral, {}});  // the value starts here (possibly empty)
          continue;
        }
      }
      ++i_;
      if (c == '\\') {
        if (i_ < s_.size()) literal(w, s_[i_++]);
        quoted_before_eq = true;
      } else if (c == '\'') {
        quoted_before_eq = true;
        if (w.parts.empty() || w.parts.back().kind != Part::kLiteral) w.parts.push_back({Part::kLiteral, {}});
        while (i_ < s_.size() && s_[i_] != '\'') w.parts.back().text += s_[i_++];
        if (i_ < s_.size()) ++i_;
      } else if (c == '"') {
        quoted_before_eq = true;
        while (i_ < s_.size() && s_[i_] != '"') {
          char d = s_[i_++];
          if (d == '\\' && i_ < s_.size() &&
              (s_[i_] == '"' || s_[i_] == '\\' || s_[i_] == '$' || s_[i_] == '`' || s_[i_] == '\n')) {
            if (s_[i_] != '\n') literal(w, s_[i_]);
            ++i_;
          } else {
            plain_char(w, d);
          }
        }
        if (i_ < s_.size()) ++i_;
        if (w.parts.empty()) w.parts.push_back({Part::kLiteral, {}});  // "" is an empty word
      } else {
        plain_char(w, c);
      }
    }
    if (w.parts.empty()) w.parts.push_back({Part::kLiteral, {}});
    return w;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

struct Var {
  std::string value;
  bool exported = false;
  bool from_command = false;  // set by the command text, not inherited
  bool unknown = false;       // computed by the shell at run time
  std::string unknown_text;
};

using Env = std::map<std::string, Var>;

struct Expanded {
  std::string text;
  bool unknown = false;
  std::string unknown_text;
};

Expanded expand(const Word& w, const Env& env) {
  Expanded e;
  for (const Part& p : w.parts) {
    if (e.text.size() > kMaxValueBytes) {
      e.text.resize(kMaxValueBytes);
      e.unknown = true;
      e.unknown_text = "a value longer than " + std::to_string(kMaxValueBytes) + " bytes";
      break;
    }
    if (p.kind == Part::kLiteral) {
      e.text += p.text;
    } else if (p.kind == Part::kVar) {
      auto it = env.find(p.text);
      if (it != env.end()) {
        e.text += it->second.value;
        if (it->second.unknown) {
          e.unknown = true;
          e.unknown_text = it->second.unknown_text;
        }
      }
    } else {
      e.unknown = true;
      if (e.unknown_text.empty()) e.unknown_text = p.text;
    }
  }
  return e;
}

// Commands that set up or report, never the job itself: the target is the
// last simple command that is not one of these.
bool is_helper(std::string_view prog) {
  static constexpr std::string_view kHelpers[] = {
      "cd",         "pushd", "popd",       "echo",   "printf",     "true",     "false",  ":",      "source",
      ".",          "set",   "shopt",      "sleep",  "mkdir",      "rm",       "cp",     "mv",     "ln",
      "ls",         "cat",   "tee",        "date",   "touch",      "pwd",      "umask",  "ulimit", "wait",
      "exit",       "trap",  "conda",      "module", "nvidia-smi", "hostname", "export", "unset",  "declare",
      "typeset",    "tail",  "head",       "grep",   "wc",         "test",     "[",      "which",  "activate",
      "deactivate", "mamba", "micromamba", "pip"};
  auto slash = prog.rfind('/');
  if (slash != std::string_view::npos) prog.remove_prefix(slash + 1);
  return std::find(std::begin(kHelpers), std::end(kHelpers), prog) != std::end(kHelpers);
}

std::string basename_of(std::string_view prog) {
  auto slash = prog.rfind('/');
  return std::string(slash == std::string_view::npos ? prog : prog.substr(slash + 1));
}

bool is_shell(std::string_view base) { return base == "sh" || base == "bash" || base == "zsh" || base == "dash"; }

// Programs that run the rest of their words as a command, passing the
// environment on (env and sudo may change it).
bool is_wrapper(std::string_view base) {
  static constexpr std::string_view kWrappers[] = {"env",     "sudo",   "nohup", "exec",   "time",   "command",
                                                   "builtin", "stdbuf", "nice",  "ionice", "setsid", "chrt"};
  return std::find(std::begin(kWrappers), std::end(kWrappers), base) != std::end(kWrappers);
}

// A program the command starts, with the environment it sees.
struct Program {
  bool helper = false;
  Env env;  // the variables its GPU request is read from (kRequestVars)
};

constexpr std::size_t kMaxPrograms = 64;

// The variables a program's GPU request is read from (request_from).
constexpr std::string_view kRequestVars[] = {"CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"};

struct Programs {
  std::vector<Program> list;
  std::size_t commands = 0;  // simple commands followed so far
  std::string note;          // set when a bound cut the command short
  void add(bool helper, const Env& env) {
    if (list.size() >= kMaxPrograms) list.erase(list.begin());
    Env kept;
    for (std::string_view name : kRequestVars)
      if (auto it = env.find(std::string(name)); it != env.end()) kept.emplace(it->first, it->second);
    list.push_back(Program{helper, std::move(kept)});
  }
};

void assign(Env& env, const std::string& name, const Word& w, bool exported) {
  if (env.size() >= kMaxVariables && !env.contains(name) &&
      std::find(std::begin(kRequestVars), std::end(kRequestVars), name) == std::end(kRequestVars))
    return;
  Expanded e = expand(w, env);
  Var& v = env[name];
  v.value = e.text;
  v.from_command = true;
  v.unknown = e.unknown;
  v.unknown_text = e.unknown_text;
  if (exported) v.exported = true;
}

Env exported_only(const Env& env) {
  Env out;
  for (const auto& [k, v] : env)
    if (v.exported) out.emplace(k, v);
  return out;
}

void evaluate(std::string_view command, Env& state, Programs& programs, int depth);

// export / declare / typeset NAME[=value]…: marks (or with -n unmarks) variables exported.
void declare_words(const std::vector<const Word*>& words, std::size_t i, const std::string& base, Env& state) {
  bool is_export = base == "export";
  bool unexport = false;
  for (++i; i < words.size(); ++i) {
    const Word& w = *words[i];
    if (w.assign_name.empty()) {
      std::string arg = expand(w, state).text;
      if (!arg.empty() && arg[0] == '-') {
        if (arg.find('x') != std::string::npos) is_export = true;
        if (arg.find('n') != std::string::npos && base == "export") unexport = true;
        continue;
      }
      if (!is_export) continue;
      auto it = state.find(arg);
      if (it != state.end()) it->second.exported = !unexport;
      continue;
    }
    if (!is_export) continue;
    assign(state, w.assign_name, w, !unexport);
    if (unexport) state[w.assign_name].exported = false;
  }
}

// unset NAME…: drops the shell's variables.
void unset_words(const std::vector<const Word*>& words, std::size_t i, Env& state) {
  for (++i; i < words.size(); ++i) {
    std::string arg = expand(*words[i], state).text;
    if (!arg.empty() && arg[0] != '-') state.erase(arg);
  }
}

// What one option word of a wrapper (env, sudo) does: how many words it
// takes (0: it is the program, which starts there) and whether the program
// follows right after it ("--").
struct OptionStep {
  std::size_t words = 0;
  bool last = false;
};

// Steps over a wrapper's options after words[i]: VAR=value words are applied
// to env; every other word goes to option(arg, i). Returns the program's index.
template <typename Option>
std::size_t skip_options(const std::vector<const Word*>& words, std::size_t i, Env& env, Option option) {
  ++i;
  while (i < words.size()) {
    const Word& w = *words[i];
    if (!w.assign_name.empty()) {
      assign(env, w.assign_name, w, true);
      ++i;
      continue;
    }
    const OptionStep step = option(expand(w, env).text, i);
    if (step.words == 0) break;
    i += step.words;
    if (step.last) break;
  }
  return i;
}

// env [options] [VAR=value…] program: applies its changes to env; returns the program's index.
std::size_t skip_env_options(const std::vector<const Word*>& words, std::size_t i, Env& env) {
  return skip_options(words, i, env, [&](const std::string& arg, std::size_t at) -> OptionStep {
    if (arg == "-i" || arg == "--ignore-environment" || arg == "-") {
      env.clear();
      return {1};
    }
    if (arg == "-u" || arg == "--unset" || arg == "-C" || arg == "--chdir") {
      if (at + 1 < words.size() && (arg == "-u" || arg == "--unset")) env.erase(expand(*words[at + 1], env).text);
      return {2};
    }
    if (arg.rfind("--unset=", 0) == 0) {
      env.erase(arg.substr(8));
      return {1};
    }
    if (arg.rfind("-u", 0) == 0 && arg.size() > 2) {
      env.erase(arg.substr(2));
      return {1};
    }
    if (arg == "--") return {1, true};
    if (!arg.empty() && arg[0] == '-') return {1};  // other options (-0, -v, --chdir=DIR, …)
    return {0};
  });
}

// sudo [options] [VAR=value…] program: returns the program's index.
std::size_t skip_sudo_options(const std::vector<const Word*>& words, std::size_t i, Env& env) {
  return skip_options(words, i, env, [](const std::string& arg, std::size_t) -> OptionStep {
    if (arg == "-u" || arg == "-g" || arg == "-C" || arg == "-D" || arg == "-h" || arg == "-p" || arg == "-U")
      return {2};
    if (!arg.empty() && arg[0] == '-') return {1};
    return {0};
  });
}

// nohup, exec, time, nice, … [options] program: returns the program's index.
std::size_t skip_wrapper_options(const std::vector<const Word*>& words, std::size_t i, const std::string& base,
                                 const Env& env) {
  ++i;
  while (i < words.size() && words[i]->assign_name.empty()) {
    std::string arg = expand(*words[i], env).text;
    if (arg.empty() || arg[0] != '-') break;
    ++i;
    if ((base == "nice" || base == "ionice") && (arg == "-n" || arg == "-c") && i < words.size()) ++i;
  }
  return i;
}

// sh -c 'script' …: follows the script; true when it found programs.
bool follow_shell_script(const std::vector<const Word*>& words, std::size_t i, const Env& env, Programs& programs,
                         int depth) {
  for (std::size_t j = i + 1; j + 1 < words.size(); ++j) {
    std::string arg = expand(*words[j], env).text;
    if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-' && arg.find('c') != std::string::npos) {
      Env inner = env;
      for (auto& [k, v] : inner) v.exported = true;
      std::size_t before = programs.list.size();
      evaluate(expand(*words[j + 1], env).text, inner, programs, depth + 1);
      return programs.list.size() != before;
    }
  }
  return false;
}

// One simple command: words between separators.
void simple_command(const std::vector<const Word*>& words, Env& state, Programs& programs, int depth) {
  if (++programs.commands > kMaxCommands) {
    programs.note = "the command has more than " + std::to_string(kMaxCommands) +
                    " simple commands; only the first ones were followed";
    return;
  }
  std::size_t i = 0;
  std::vector<const Word*> prefix;
  while (i < words.size() && !words[i]->assign_name.empty()) prefix.push_back(words[i++]);
  if (i == words.size()) {  // bare assignments change the shell's own variables
    for (const Word* w : prefix) assign(state, w->assign_name, *w, false);
    return;
  }
  // Prefix assignments apply to this command only: copy the state just then.
  Env with_prefix;
  if (!prefix.empty()) {
    with_prefix = state;
    for (const Word* w : prefix) assign(with_prefix, w->assign_name, *w, true);
  }
  const Env& child = prefix.empty() ? state : with_prefix;
  std::string prog = expand(*words[i], child).text;
  std::string base = basename_of(prog);

  if ((base == "export" || base == "declare" || base == "typeset") && prefix.empty()) {
    declare_words(words, i, base, state);
    return;
  }
  if (base == "unset" && prefix.empty()) {
    unset_words(words, i, state);
    return;
  }

  if (!is_wrapper(base) && !is_shell(base)) {  // a plain program: only its request variables are kept
    programs.add(is_helper(base), child);
    return;
  }
  // Wrappers that pass the environment on (possibly changed) to a program.
  Env env = exported_only(child);
  for (;;) {
    if (base == "env") {
      i = skip_env_options(words, i, env);
    } else if (base == "sudo") {
      i = skip_sudo_options(words, i, env);
    } else if (is_wrapper(base)) {
      i = skip_wrapper_options(words, i, base, env);
    } else {
      break;
    }
    if (i >= words.size()) return;
    prog = expand(*words[i], env).text;
    base = basename_of(prog);
  }

  if (is_shell(base) && depth < kMaxDepth && follow_shell_script(words, i, env, programs, depth)) return;
  programs.add(is_helper(base), env);
}

void evaluate(std::string_view command, Env& state, Programs& programs, int depth) {
  std::vector<Token> tokens = Lexer(command).run();
  std::vector<const Word*> words;
  for (const Token& t : tokens) {
    if (t.is_op) {
      if (!words.empty()) simple_command(words, state, programs, depth);
      words.clear();
    } else {
      words.push_back(&t.word);
    }
  }
  if (!words.empty()) simple_command(words, state, programs, depth);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void add_note(std::string& note, std::string_view text) {
  if (!note.empty()) note += "; ";
  note += text;
}

}  // namespace

namespace {

// The request one program's environment makes.
DeviceRequest request_from(const Env& seen) {
  DeviceRequest req;
  auto cvd = seen.find("CUDA_VISIBLE_DEVICES");
  if (cvd == seen.end() || !cvd->second.exported) return req;
  req.specified = true;
  req.source = cvd->second.from_command ? "command" : "environment";
  req.value = cvd->second.value;
  if (cvd->second.unknown) {
    add_note(req.note, "CUDA_VISIBLE_DEVICES is computed by the shell (" + cvd->second.unknown_text +
                           "); cannot tell which GPUs it asks for");
    return req;
  }
  std::string_view value = detail::trim(req.value);
  if (value.empty() || value == "NoDevFiles") return req;
  for (std::string_view raw : detail::split(value, ',')) {
    std::string_view item = detail::trim(raw);
    bool valid = all_digits(item) || ((item.rfind("GPU-", 0) == 0 || item.rfind("MIG-", 0) == 0) && item.size() > 4);
    if (!valid) {
      // Like CUDA: the list ends at the first invalid entry ("-1" ends it on purpose).
      if (!(item.size() >= 2 && item[0] == '-' && all_digits(item.substr(1))) || !req.devices.empty())
        add_note(req.note,
                 "CUDA_VISIBLE_DEVICES stops at '" + std::string(item) + "': CUDA ignores it and what follows");
      break;
    }
    std::string dev(item);
    if (all_digits(dev)) {  // "01" is index 1, as CUDA reads it
      std::size_t nz = dev.find_first_not_of('0');
      dev = nz == std::string::npos ? "0" : dev.substr(nz);
    }
    if (std::find(req.devices.begin(), req.devices.end(), dev) != req.devices.end()) {
      add_note(req.note, "device " + dev + " listed more than once");
      continue;
    }
    req.devices.push_back(std::move(dev));
  }
  bool indices =
      std::any_of(req.devices.begin(), req.devices.end(), [](const std::string& d) { return all_digits(d); });
  if (indices) {
    auto order = seen.find("CUDA_DEVICE_ORDER");
    bool pci = order != seen.end() && order->second.exported && detail::trim(order->second.value) == "PCI_BUS_ID";
    if (!pci) {
      req.order_trusted = false;
      add_note(req.note,
               "GPU indices are matched to nvidia-smi's, which is only exact with CUDA_DEVICE_ORDER=PCI_BUS_ID "
               "(CUDA's default order is FASTEST_FIRST)");
    }
  }
  return req;
}

}  // namespace

DeviceRequest parse_requested_devices(std::string_view command,
                                      const std::vector<std::pair<std::string, std::string>>& env) {
  Env state;
  for (const auto& [k, v] : env) state[k] = Var{v, true, false, false, {}};
  Programs programs;
  evaluate(command, state, programs, 0);

  // The job: every program that is not a helper (a command may start several,
  // with `&`, `&&` or `;`: all their GPUs are checked); else the last helper;
  // with no program at all, the environment the command leaves.
  std::vector<const Env*> jobs;
  for (const auto& p : programs.list)
    if (!p.helper) jobs.push_back(&p.env);
  if (jobs.empty() && !programs.list.empty()) jobs.push_back(&programs.list.back().env);
  Env leftover;
  if (jobs.empty()) {
    leftover = exported_only(state);
    jobs.push_back(&leftover);
  }

  DeviceRequest out;
  std::vector<std::string> values;
  for (const Env* job : jobs) {
    DeviceRequest r = request_from(*job);
    if (!r.specified) continue;
    if (!out.specified || (out.source == "environment" && r.source == "command")) out.source = r.source;
    out.specified = true;
    if (std::find(values.begin(), values.end(), r.value) == values.end()) values.push_back(r.value);
    for (auto& d : r.devices)
      if (std::find(out.devices.begin(), out.devices.end(), d) == out.devices.end()) out.devices.push_back(d);
    out.order_trusted = out.order_trusted && r.order_trusted;
    if (!r.note.empty() && out.note.find(r.note) == std::string::npos) add_note(out.note, r.note);
  }
  if (values.size() > 1) {
    std::string listed;
    for (const auto& v : values) listed += (listed.empty() ? "'" : ", '") + v + "'";
    add_note(out.note, "the command starts several programs with different CUDA_VISIBLE_DEVICES (" + listed +
                           "); the GPUs of all of them are checked");
  }
  for (const auto& v : values) out.value += (out.value.empty() ? "" : ";") + v;
  if (!programs.note.empty()) add_note(out.note, programs.note);
  return out;
}

std::vector<std::pair<std::string, std::string>> current_environment() {
  std::vector<std::pair<std::string, std::string>> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

}  // namespace sidecar
