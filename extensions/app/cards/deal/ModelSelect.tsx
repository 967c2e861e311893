import { Select } from '@hubspot/ui-extensions';

import type { AttributionModelOption } from '../api/contract';

interface ModelSelectProps {
  models: AttributionModelOption[];
  value: string;
  onChange: (model: string) => void;
}

export function ModelSelect({ models, value, onChange }: ModelSelectProps) {
  return (
    <Select
      label="Attribution model"
      name="model"
      description="How the deal's revenue is split over its touches"
      options={models.map((model) => ({ label: model.label, value: model.id }))}
      value={value}
      onChange={(next) => onChange(String(next))}
      testId="model"
    />
  );
}
