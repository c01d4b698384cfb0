// Danish crisis lines, kept as data: names and descriptions come from the translations.
export const CRISIS_LINES = [
  { id: "emergency", number: "112", tel: "112", urgent: true },
  { id: "livslinien", number: "70 201 201", tel: "+4570201201" },
];
