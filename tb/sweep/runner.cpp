#include "sweep/runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace agilemmu::sweep {

std::vector<std::string> run_args(const Spec& s, const Point& p, const std::string& json_path) {
  std::vector<std::string> a = {"run", s.config_for(p)};
  for (const auto& kv : s.sets_for(p)) a.insert(a.end(), {"--set", kv});
  a.insert(a.end(), {"--json", json_path});
  return a;
}

std::string self_exe() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  return std::string(buf, static_cast<size_t>(n));
}

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int sig) { g_stop = sig; }

struct Running {
  Json record;
  std::string json, err;
  std::chrono::steady_clock::time_point start;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // The run's summary table is not wanted; its stderr is the error message of a failed point.
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> argv;
  std::string arg0 = "agilemmu";
  argv.push_back(arg0.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int rc = posix_spawn(&pid, exe.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
  return pid;
}

void finish(Running& r, int status) {
  using namespace std::chrono;
  Json& rec = r.record;
  rec["host_seconds"] = duration<double>(steady_clock::now() - r.start).count();
  const std::string err = error_line(slurp(r.err));
  Json stats;
  bool have_stats = false;
  std::string parse_error;
  {
    std::ifstream in(r.json);
    if (in) {
      try {
        stats = Json::parse(in);
        have_stats = true;
      } catch (const std::exception& e) {
        parse_error = std::string("unreadable statistics: ") + e.what();
      }
    }
  }
  int code = -1;
  std::string why;
  if (WIFEXITED(status)) {
    code = WEXITSTATUS(status);
    if (code != 0) why = "exit " + std::to_string(code) + (err.empty() ? "" : ": " + err);
  } else if (WIFSIGNALED(status)) {
    why =
        std::string("killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  if (why.empty() && !have_stats) why = parse_error.empty() ? "the run wrote no statistics" : parse_error;
  rec["status"] = why.empty() ? "ok" : "failed";
  rec["exit_code"] = code;
  rec["error"] = why;
  if (have_stats) rec["stats"] = std::move(stats);
  std::remove(r.json.c_str());
  std::remove(r.err.c_str());
}

}  // namespace

bool interrupted() { return g_stop != 0; }

std::string error_line(const std::string& text) {
  std::istringstream in(text);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("agilemmu: ", 0) == 0) return line;
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return last;
}

void run_points(const std::string& exe, const Spec& s, const std::vector<Point>& points, unsigned jobs,
                const std::function<void(Json&&)>& done, const std::function<void()>& tick) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/agilemmu-sweep-XXXXXX";
  // SystemC prints a banner on stderr at start; in a failed point's error cell it would be noise.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  if (!mkdtemp(dir.data())) throw std::runtime_error("cannot create a temporary directory in " + dir);
  std::map<pid_t, Running> running;
  size_t next = 0;
  if (jobs == 0) jobs = 1;
  // Ctrl-C / SIGTERM: start no more points, stop the running ones, let the caller write what
  // finished. No SA_RESTART, so a blocked waitpid returns and sees the flag.
  struct sigaction sa {
  }, old_int{}, old_term{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  bool killed = false;
  while ((next < points.size() && !g_stop) || !running.empty()) {
    if (g_stop && !killed) {
      for (const auto& [pid, r] : running) kill(pid, SIGTERM);
      killed = true;
    }
    while (!g_stop && next < points.size() && running.size() < jobs) {
      const Point& p = points[next++];
      Running r;
      r.record = make_record(p, s);
      const std::string stem = dir + "/point-" + std::to_string(p.index);
      r.json = stem + ".json";
      r.err = stem + ".err";
      r.start = std::chrono::steady_clock::now();
      const pid_t pid = spawn(exe, run_args(s, p, r.json), r.err);
      running.emplace(pid, std::move(r));
    }
    // Each point's own pid, polled: waitpid(-1) would also reap children this process starts
    // elsewhere (the area synthesis thread's popen), and the bar's clock moves during long points.
    int status = 0;
    pid_t pid = 0;
    for (const auto& [p, r] : running) {
      const pid_t got = waitpid(p, &status, WNOHANG);
      if (got > 0 || (got < 0 && errno != EINTR)) {
        pid = got;
        break;
      }
    }
    if (pid == 0) {
      if (tick) tick();
      usleep(20 * 1000);
      continue;
    }
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    auto it = running.find(pid);
    if (it == running.end()) continue;
    finish(it->second, status);
    Json rec = std::move(it->second.record);
    running.erase(it);
    done(std::move(rec));
  }
  rmdir(dir.c_str());
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
}

}  // namespace agilemmu::sweep
