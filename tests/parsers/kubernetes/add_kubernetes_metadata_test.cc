// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <string>

#include "parsers/add_kubernetes_metadata/add_kubernetes_metadata_stage.h"
#include "parsers/add_kubernetes_metadata/kubernetes_path.h"
#include "tests/testing/alloc/allocation_counter.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using testing::StageHarness;

const std::string kId(64, 'a');

TEST(KubernetesPathTest, ContainersSymlinkName) {
  KubernetesPath k;
  // The parts are views into the path: it must outlive them.
  const std::string path = "/var/log/containers/web-7d9c-x2k4p_shop_nginx-proxy-" + kId + ".log";
  ASSERT_TRUE(ParseKubernetesPath(path, &k));
  EXPECT_EQ(k.pod_name, "web-7d9c-x2k4p");
  EXPECT_EQ(k.namespace_name, "shop");
  EXPECT_EQ(k.container_name, "nginx-proxy");
  EXPECT_EQ(k.container_id, kId);
  EXPECT_EQ(k.pod_uid, "");
}

TEST(KubernetesPathTest, PodsDirectoryWithRotations) {
  KubernetesPath k;
  const std::string dir =
      "/host/var/log/pods/kube-system_coredns-5d78c9869d-abcde_"
      "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/coredns/";
  for (const char* file : {"0.log", "12.log", "0.log.20261207-101530", "3.log.gz"}) {
    const std::string path = dir + file;
    ASSERT_TRUE(ParseKubernetesPath(path, &k)) << file;
    EXPECT_EQ(k.namespace_name, "kube-system");
    EXPECT_EQ(k.pod_name, "coredns-5d78c9869d-abcde");
    EXPECT_EQ(k.pod_uid, "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    EXPECT_EQ(k.container_name, "coredns");
    EXPECT_EQ(k.container_id, "");
  }
}

TEST(KubernetesPathTest, OtherPathsAreNotKubernetes) {
  KubernetesPath k;
  for (const std::string& path :
       {std::string("/var/log/syslog"), std::string("/var/log/containers/readme.log"),
        "/var/log/containers/a_b_c-" + kId.substr(1) + ".log",  // id too short
        "/var/log/containers/a_b_c_d-" + kId + ".log",          // four parts
        std::string("/var/log/pods/ns_pod_uid/c/app.log"),      // not a restart number
        std::string("/var/log/pods/ns_pod/c/0.log")}) {         // no uid
    EXPECT_FALSE(ParseKubernetesPath(path, &k)) << path;
    EXPECT_EQ(k.pod_name, "") << path;
  }
}

class AddKubernetesMetadataTest : public ::testing::Test {
 protected:
  // Two events from a /var/log/containers file, one from /var/log/pods, one from elsewhere.
  Batch& Batch4() {
    Batch& b = h_.Lines({"a", "b", "c", "d"});
    b.sources()[0].path = b.arena().Copy("/var/log/containers/api-1_prod_app-" + kId + ".log");
    b.sources().push_back(BatchSource{2, b.arena().Copy("/var/log/pods/prod_api-1_u-1/app/0.log")});
    b.sources().push_back(BatchSource{3, b.arena().Copy("/var/log/syslog")});
    b.events()[2].source = 1;
    b.events()[3].source = 2;
    return b;
  }
  StageHarness h_;
};

TEST_F(AddKubernetesMetadataTest, AddsWhatThePathSays) {
  std::unique_ptr<Stage> stage =
      h_.Build(&MakeAddKubernetesMetadataStage, "type: add_kubernetes_metadata\n");
  ASSERT_NE(stage, nullptr) << h_.ErrorText();
  Batch& b = Batch4();
  stage->Process(b, EventSelection::All());
  for (size_t i : {0, 1}) {
    EXPECT_EQ(h_.Text(i, "kubernetes.pod.name"), "api-1");
    EXPECT_EQ(h_.Text(i, "kubernetes.namespace"), "prod");
    EXPECT_EQ(h_.Text(i, "kubernetes.container.name"), "app");
    EXPECT_EQ(h_.Text(i, "container.id"), kId);
    EXPECT_EQ(h_.Text(i, "kubernetes.pod.uid"), std::nullopt);
  }
  EXPECT_EQ(h_.Text(2, "kubernetes.pod.uid"), "u-1");
  EXPECT_EQ(h_.Text(2, "container.id"), std::nullopt);
  EXPECT_EQ(h_.Text(3, "kubernetes.pod.name"), std::nullopt) << "not a container's file";
  EXPECT_NE(
      h_.Json(0).find(
          R"("kubernetes":{"container":{"name":"app"},"namespace":"prod","pod":{"name":"api-1"}},)"
          R"("container":{"id":")" +
          kId + "\"}}"),
      std::string::npos)
      << h_.Json(0);
}

TEST_F(AddKubernetesMetadataTest, KeepsFieldsAnEventHasUnlessOverwrite) {
  for (bool overwrite : {false, true}) {
    std::unique_ptr<Stage> stage = h_.Build(
        &MakeAddKubernetesMetadataStage, std::string("type: add_kubernetes_metadata\noverwrite: ") +
                                             (overwrite ? "true\n" : "false\n"));
    ASSERT_NE(stage, nullptr) << h_.ErrorText();
    Batch& b = Batch4();
    b.AddField(b.events()[0], "kubernetes.namespace", Value::String("mine"));
    stage->Process(b, EventSelection::All());
    EXPECT_EQ(h_.Text(0, "kubernetes.namespace"), overwrite ? "prod" : "mine");
  }
}

TEST_F(AddKubernetesMetadataTest, UnknownOptionIsAConfigError) {
  EXPECT_EQ(h_.Build(&MakeAddKubernetesMetadataStage, "type: add_kubernetes_metadata\napi: on\n"),
            nullptr);
  EXPECT_NE(h_.ErrorText().find("api"), std::string::npos) << h_.ErrorText();
}

TEST_F(AddKubernetesMetadataTest, AllocatesNothingPerEvent) {
  if (!testing::AllocationCountingAvailable()) GTEST_SKIP() << "no allocation counting here";
  std::unique_ptr<Stage> stage =
      h_.Build(&MakeAddKubernetesMetadataStage, "type: add_kubernetes_metadata\n");
  ASSERT_NE(stage, nullptr);
  std::vector<std::string> lines(2000, "x");
  Batch& warm = h_.Lines(lines);
  warm.sources()[0].path = warm.arena().Copy("/var/log/containers/p_n_c-" + kId + ".log");
  stage->Process(warm, EventSelection::All());
  Batch& b = h_.Lines(lines);
  b.sources()[0].path = b.arena().Copy("/var/log/containers/p_n_c-" + kId + ".log");
  b.fields().reserve(lines.size() * 8);
  testing::StartCountingAllocations();
  stage->Process(b, EventSelection::All());
  uint64_t allocations = testing::StopCountingAllocations();
  EXPECT_LE(allocations, 4u);
  EXPECT_EQ(h_.Text(1999, "kubernetes.container.name"), "c");
}

}  // namespace
}  // namespace logship
