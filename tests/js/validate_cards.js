// Validates Adaptive Cards with the official JS SDK (npm adaptivecards@3.0.6), offline.
// Usage: node validate_cards.js <path to adaptivecards/dist/adaptivecards.js> <cards.json>
// cards.json: {"name": card, ...}. Prints {"name": ["problem", ...], ...} (empty lists when fine).
// The SDK reports unknown element/action types and bad properties while parsing (the
// SerializationContext's events) and missing/duplicate ids and the like in validateProperties();
// it does not reject a version above the target, so that is checked here too.
"use strict";
const fs = require("fs");
const AC = require(process.argv[2]);
const cards = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const target = AC.Versions.v1_5;
const result = {};
for (const [name, json] of Object.entries(cards)) {
  const problems = [];
  const context = new AC.SerializationContext(target);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse: ${event.message}`);
  }
  const validation = card.validateProperties();
  for (const event of validation.validationEvents) {
    problems.push(`validate: ${event.message}`);
  }
  const version = AC.Version.parse(json.version, context);
  if (!version || !version.isValid || version.major !== 1 || version.minor > target.minor) {
    problems.push(`version ${json.version} is above ${target.toString()}`);
  }
  result[name] = problems;
}
process.stdout.write(JSON.stringify(result));
