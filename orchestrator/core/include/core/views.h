// Views: how runs, jobs, steps, agents and images are shown as JSON in the REST API and SSE.
// One place, so the dashboard, the CLI and the tests see the same shapes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/agent_store.h"
#include "store/image_store.h"
#include "store/job_store.h"
#include "store/repo_store.h"
#include "store/run_store.h"
#include "store/step_store.h"

namespace slipway::core {

nlohmann::json RunView(const store::Run& run);
nlohmann::json RunView(const store::Run& run, const std::vector<store::Job>& jobs);
nlohmann::json JobView(const store::Job& job);
nlohmann::json StepView(const store::Step& step);
// `running`: the jobs leased to this agent (JobStore::ListLeased), shown as its running_jobs.
nlohmann::json AgentView(const store::Agent& agent, const std::vector<store::LeasedJob>& running,
                         int64_t now_ms);
nlohmann::json ImageView(const store::ImageRecord& image);
// {id, name, forge, clone_url, default_branch}: never the secret, and the clone URL without any
// credentials in it ("https://user:token@host/x.git" is shown as "https://host/x.git").
nlohmann::json RepoView(const store::Repo& repo);
std::string WithoutCredentials(const std::string& url);

}  // namespace slipway::core
