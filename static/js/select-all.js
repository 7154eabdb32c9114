// "Select all pupils shown": ticks or clears every pupil checkbox in the same form.
document.querySelectorAll("[data-select-all]").forEach((toggle) => {
  const boxes = () => toggle.form.querySelectorAll(`input[name="${toggle.dataset.selectAll}"]`);
  toggle.addEventListener("change", () => boxes().forEach((box) => { box.checked = toggle.checked; }));
});
