#pragma once
// Kept for existing includes: the storage API (SQLite and PostgreSQL) is storage/database.h.
#include "storage/database.h"
