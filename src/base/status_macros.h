// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "src/base/result.h"
#include "src/base/status.h"

#define LOGSHIP_CONCAT_INNER(a, b) a##b
#define LOGSHIP_CONCAT(a, b) LOGSHIP_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define LOGSHIP_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::logship::Status _logship_st = (expr);    \
    if (!_logship_st.ok()) return _logship_st; \
  } while (0)

// `LOGSHIP_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its Status.
#define LOGSHIP_ASSIGN_OR_RETURN(lhs, expr) \
  LOGSHIP_ASSIGN_OR_RETURN_IMPL(LOGSHIP_CONCAT(_logship_res_, __LINE__), lhs, expr)
#define LOGSHIP_ASSIGN_OR_RETURN_IMPL(res, lhs, expr) \
  auto res = (expr);                                  \
  if (!res.ok()) return res.status();                 \
  lhs = std::move(res).value()
