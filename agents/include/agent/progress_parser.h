// ProgressParser: turns the byte stream of `docker buildx build --progress=rawjson` (its stderr) into
// readable log lines and a list of build steps.
//
// buildx writes pretty-printed JSON objects one after another (not one per line), each holding
// `vertexes` (digest, name, started, completed, cached, error), `statuses` and `logs` (base64 `data`
// per vertex); after a failure it prints plain text such as `ERROR: failed to solve: ...`. Feed() takes
// bytes split anywhere and emits lines in the shape of buildx's plain progress:
//   #3 [build 2/3] RUN make        (a vertex starts)
//   #3 compiling                   (its output, one line per line)
//   #3 CACHED / #3 DONE 1.2s / #3 ERROR: exit code: 3
// Text outside the JSON objects is passed through line by line.
//
// Steps are the Dockerfile instructions ("[stage i/n] INSTRUCTION ..."); BuildKit's own vertexes
// ("[internal] ...", "exporting to image") produce log lines but no steps.
//
// Thread-safety: none; one parser per build, used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/agent_protocol.h"

namespace slipway::agent {

struct BuildStep {
  int index = 0;               // order of first appearance among steps, from 0
  std::string digest;          // the BuildKit vertex digest
  std::string name;            // "[runtime 2/3] RUN pip install ..."
  bool cached = false;
  long long started_ms = 0;    // Unix epoch milliseconds, 0 when not started
  long long completed_ms = 0;  // 0 while running
  long long duration_ms = 0;
  std::string error;           // BuildKit's error for this vertex, "" when none
  // True for "[stage i/n] FROM ...": resolving a base image; its `cached` flag says nothing about
  // the build cache, so cache accounting leaves it out.
  bool IsFrom() const;
};

using CacheCount = protocol::CacheCount;

class ProgressParser {
 public:
  // Appends the complete lines found in bytes (without their '\n') to *lines.
  void Feed(std::string_view bytes, std::vector<std::string>* lines);
  // End of stream: flushes a trailing partial line and partial vertex output.
  void Finish(std::vector<std::string>* lines);

  const std::vector<BuildStep>& steps() const { return steps_; }
  // Grows whenever a step is added or changes; compare to decide whether to report steps again.
  std::uint64_t steps_version() const { return steps_version_; }
  CacheCount Cache() const;
  // The first step that reported an error, or nullptr.
  const BuildStep* FailedStep() const;
  // The failed step's name, else the name of any other vertex that failed, else "".
  std::string FailedName() const;
  // Plain-text lines beginning with "ERROR" seen outside the JSON stream (buildx's summary).
  const std::vector<std::string>& error_lines() const { return error_lines_; }

  // Largest JSON object accepted; a bigger one is dropped (guards memory against a broken stream).
  static constexpr std::size_t kMaxObjectBytes = 16 << 20;

 private:
  struct Vertex {
    int number = 0;  // the "#N" shown in lines, from 1
    std::string name;
    bool announced = false;
    bool cached = false;
    bool done = false;
    std::string error;
    long long started_ms = 0;
    long long completed_ms = 0;
    std::string partial;  // output not yet ended by '\n'
    int step = -1;        // index into steps_, or -1
  };

  void HandleObject(const std::string& text, std::vector<std::string>* lines);
  void HandleText(std::string line, std::vector<std::string>* lines);
  Vertex& VertexFor(const std::string& digest);
  void SyncStep(Vertex& v, const std::string& digest);
  void FlushPartial(Vertex& v, std::vector<std::string>* lines);

  // Splitter state.
  std::string object_;       // the JSON object being collected
  std::string text_;         // plain text being collected (outside objects)
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
  bool in_text_ = false;     // collecting a plain-text line
  bool overflow_ = false;    // the current object exceeded kMaxObjectBytes

  std::map<std::string, Vertex> vertexes_;
  int next_number_ = 1;
  std::vector<BuildStep> steps_;
  std::uint64_t steps_version_ = 0;
  std::vector<std::string> error_lines_;
};

// Milliseconds since the Unix epoch for an RFC 3339 UTC time ("2026-11-28T00:04:53.292665559Z");
// 0 when it cannot be read.
long long ParseRfc3339Ms(std::string_view text);

// Decodes standard base64 (with or without padding); invalid characters are skipped.
std::string DecodeBase64(std::string_view in);

}  // namespace slipway::agent
