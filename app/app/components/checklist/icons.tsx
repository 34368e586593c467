/** Small inline icons (aria-hidden; the buttons carry the names). */
const paths = {
  up: 'M10 6l5 6H5l5-6z',
  down: 'M10 14l-5-6h10l-5 6z',
  chevron: 'M7 5l6 5-6 5V5z',
  grip: 'M7 4h2v2H7V4zm4 0h2v2h-2V4zM7 9h2v2H7V9zm4 0h2v2h-2V9zm-4 5h2v2H7v-2zm4 0h2v2h-2v-2z',
  trash: 'M8 3h4l1 1h3v2H4V4h3l1-1zM5 7h10l-1 10H6L5 7z',
  pencil: 'M13.6 3.4l3 3L7 16H4v-3l9.6-9.6z',
  close: 'M5.3 4l4.7 4.7L14.7 4 16 5.3 11.3 10l4.7 4.7-1.3 1.3-4.7-4.7L5.3 16 4 14.7 8.7 10 4 5.3z',
} as const;

export function Icon({ name, className = 'h-4 w-4' }: { name: keyof typeof paths; className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 20 20" className={className}>
      <path fill="currentColor" d={paths[name]} />
    </svg>
  );
}
