// `docker save` streamed into the archive reader through a small bounded queue.
#include "insight/docker_save.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "common/subprocess.h"

namespace slipway::insight {
namespace {

// Chunks from the pump thread to the reader; the pump blocks when kMaxChunks are waiting.
class ChunkQueue {
 public:
  static constexpr size_t kMaxChunks = 16;  // at most 1 MiB waiting (pipe reads are <= 64 KiB)

  void Push(std::string_view chunk) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_full_.wait(lock, [&] { return chunks_.size() < kMaxChunks || abandoned_; });
    if (abandoned_) return;
    chunks_.emplace_back(chunk);
    not_empty_.notify_one();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }
  // The reader stops early: drop what is queued and let the pump drain without waiting.
  void Abandon() {
    std::lock_guard<std::mutex> lock(mutex_);
    abandoned_ = true;
    chunks_.clear();
    not_full_.notify_all();
  }
  long Pull(char* buf, size_t len) {
    std::unique_lock<std::mutex> lock(mutex_);
    not_empty_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return 0;
    std::string& front = chunks_.front();
    size_t n = std::min(len, front.size() - offset_);
    std::memcpy(buf, front.data() + offset_, n);
    offset_ += n;
    if (offset_ == front.size()) {
      chunks_.pop_front();
      offset_ = 0;
      not_full_.notify_one();
    }
    return static_cast<long>(n);
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<std::string> chunks_;
  size_t offset_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace

Result<Image> ReadImageFromDocker(const std::string& image_ref) {
  if (image_ref.empty() || image_ref[0] == '-')
    return Status::InvalidArgument("bad image reference");
  auto child = Subprocess::Start({"docker", "save", image_ref});
  if (!child.ok()) return Status::Unavailable("cannot run docker: " + child.status().message());
  ChunkQueue queue;
  std::string err;
  std::thread pump([&] {
    (*child)->Pump([&](std::string_view chunk) { queue.Push(chunk); },
                   [&](std::string_view chunk) {
                     if (err.size() < 4096) err.append(chunk);
                   });
    queue.Close();
  });
  Result<Image> image =
      ReadImageArchive([&](char* buf, size_t len) { return queue.Pull(buf, len); });
  queue.Abandon();
  pump.join();
  int code = (*child)->Wait();
  if (code != 0) {
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    if (err.find("No such image") != std::string::npos ||
        err.find("not found") != std::string::npos) {
      return Status::NotFound("docker save " + image_ref + ": " + err);
    }
    return Status::Unavailable("docker save " + image_ref + " exited " + std::to_string(code) +
                               ": " + err);
  }
  return image;
}

}  // namespace slipway::insight
