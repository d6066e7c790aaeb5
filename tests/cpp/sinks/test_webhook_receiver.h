// A local HTTP receiver for the notification-sink tests: listens on
// 127.0.0.1 (a free port chosen by the kernel), records every request and
// answers 200, or a chosen status for the next N requests. Stopped (thread
// joined, socket closed) on destruction.
#pragma once

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sidecar::test {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  int answered = 0;
};

class HttpReceiver {
 public:
  HttpReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 64);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~HttpReceiver() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // The next n requests are answered with `status` (then 200 again).
  void fail_next(int n, int status = 500) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_left_ = n;
    fail_status_ = status;
  }
  std::vector<ReceivedRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  std::size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }
  // Requests answered 2xx.
  std::size_t delivered() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.answered / 100 == 2;
    return n;
  }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      serve(c);
      ::close(c);
    }
  }

  void serve(int c) {
    std::string data;
    char buf[8192];
    std::size_t header_end = std::string::npos;
    std::size_t need = 0;
    for (int i = 0; i < 2000; ++i) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) {
        if (stop_) return;
        continue;
      }
      ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, static_cast<std::size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          std::string lower;
          for (char ch : data.substr(0, header_end)) lower += static_cast<char>(std::tolower(ch));
          std::size_t cl = lower.find("content-length:");
          need = cl == std::string::npos ? 0 : std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + need) break;
    }
    if (header_end == std::string::npos) return;
    ReceivedRequest r;
    std::string head = data.substr(0, header_end);
    std::size_t eol = head.find("\r\n");
    std::string first = head.substr(0, eol);
    std::size_t sp1 = first.find(' '), sp2 = first.rfind(' ');
    r.method = first.substr(0, sp1);
    r.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      std::size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name;
        for (char ch : line.substr(0, colon)) name += static_cast<char>(std::tolower(ch));
        std::size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        r.headers[name] = line.substr(v);
      }
      pos = e + 2;
    }
    r.body = data.substr(header_end + 4, need);
    int status = 200;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fail_left_ > 0) {
        --fail_left_;
        status = fail_status_;
      }
      r.answered = status;
      requests_.push_back(r);
    }
    std::string reply = "HTTP/1.1 " + std::to_string(status) +
                        " X\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n" + "Connection: close\r\n\r\nok";
    (void)!::write(c, reply.data(), reply.size());
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
  int fail_left_ = 0;
  int fail_status_ = 500;
  std::thread thread_;
};

}  // namespace sidecar::test
